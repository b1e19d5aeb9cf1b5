#!/usr/bin/env python3
"""Draws the simulated card's face photo: a plain silhouette on a light background, no real
person. Writes photo.ppm; `opj_compress -i photo.ppm -o photo.jp2 -r 40` (Debian's
libopenjp2-tools) turns it into the JPEG 2000 file the simulator stores, as a card does."""

W, H = 180, 216  # about the aspect of a card photo


def inside_ellipse(x, y, cx, cy, rx, ry):
    return ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1.0


pixels = bytearray()
for y in range(H):
    for x in range(W):
        color = (214, 226, 236)  # background
        if inside_ellipse(x, y, 90, 240, 86, 72):  # shoulders
            color = (52, 64, 86)
        if inside_ellipse(x, y, 90, 150, 18, 30):  # neck
            color = (226, 190, 160)
        if inside_ellipse(x, y, 90, 96, 44, 56):  # face
            color = (236, 200, 170)
        if inside_ellipse(x, y, 90, 66, 48, 34) and y < 72:  # hair
            color = (40, 32, 28)
        for ex in (72, 108):  # eyes
            if inside_ellipse(x, y, ex, 98, 5, 3):
                color = (30, 30, 30)
        if inside_ellipse(x, y, 90, 128, 12, 3):  # mouth
            color = (170, 90, 90)
        pixels += bytes(color)

with open("photo.ppm", "wb") as out:
    out.write(b"P6\n%d %d\n255\n" % (W, H))
    out.write(pixels)
