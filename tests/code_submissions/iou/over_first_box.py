# wrong: tolerance: got
def iou(box_a, box_b):
    w = max(0.0, min(box_a[2], box_b[2]) - max(box_a[0], box_b[0]))
    h = max(0.0, min(box_a[3], box_b[3]) - max(box_a[1], box_b[1]))
    area_a = (box_a[2] - box_a[0]) * (box_a[3] - box_a[1])
    return w * h / area_a  # intersection over the first box, not over the union
