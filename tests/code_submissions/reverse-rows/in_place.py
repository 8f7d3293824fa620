# wrong: mutation: changed its argument a in place
def reverse_rows(a):
    a[:] = a[::-1].copy()  # reverses the caller's array
    return a.copy()
