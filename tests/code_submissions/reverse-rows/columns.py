# wrong: tolerance: values differ
def reverse_rows(a):
    return a[:, ::-1].copy()  # reverses the columns instead
