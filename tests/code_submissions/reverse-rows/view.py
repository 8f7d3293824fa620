# wrong: mutation: returned a view of its argument a
def reverse_rows(a):
    return a[::-1]  # a view: it shares memory with a
