# wrong: tolerance: got
def iou(box_a, box_b):
    # pixel-inclusive widths (x2 - x1 + 1), as the old VOC devkit: not continuous coordinates
    w = max(0.0, min(box_a[2], box_b[2]) - max(box_a[0], box_b[0]) + 1)
    h = max(0.0, min(box_a[3], box_b[3]) - max(box_a[1], box_b[1]) + 1)
    inter = w * h
    area_a = (box_a[2] - box_a[0] + 1) * (box_a[3] - box_a[1] + 1)
    area_b = (box_b[2] - box_b[0] + 1) * (box_b[3] - box_b[1] + 1)
    return inter / (area_a + area_b - inter)
