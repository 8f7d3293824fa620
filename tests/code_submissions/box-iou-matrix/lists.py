# wrong: type: returned a list
def box_iou(boxes_a, boxes_b):
    rows = []
    for a in boxes_a:
        row = []
        for b in boxes_b:
            w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
            h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
            inter = w * h
            row.append(inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter))
        rows.append(row)
    return rows
