# correct
def voc_ap(recall, precision):
    # walk the points from the right, carrying the best precision seen so far (the envelope)
    points = [(0.0, 0.0)] + list(zip(recall, precision)) + [(1.0, 0.0)]
    ap, best = 0.0, 0.0
    for k in range(len(points) - 1, 0, -1):
        best = max(best, points[k][1])
        ap += (points[k][0] - points[k - 1][0]) * best
    return ap
