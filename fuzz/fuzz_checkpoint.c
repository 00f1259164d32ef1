/* fuzz_checkpoint.c: the checkpoint reader (header, length, CRC) and the state it holds, loaded through the
 * visitor the way resume loads it (named blocks, then the metrics rows). The first input byte picks the form:
 * even, the rest is the file as is; odd, the rest is a payload wrapped in a valid header and CRC, so the fuzzer
 * reaches the blocks behind the checksum. Invariants: a refused file or state leaves a message; a loaded metrics
 * table holds whole rows only; nothing is read past the payload (ASan). */
#include "fuzz_common.h"

#include "core/state.h"
#include "io/checkpoint.h"
#include "io/metrics.h"

#include <string.h>
#include <zlib.h>

/* data wrapped as a checkpoint file of format GK_CHECKPOINT_FORMAT (magic, version, 0, length, payload, CRC-32). */
static const char *wrapped(const uint8_t *data, size_t size) {
    static uint8_t buf[70000];
    if (size > sizeof buf - 28) size = sizeof buf - 28;
    uint32_t version = GK_CHECKPOINT_FORMAT, zero = 0;
    uint64_t n = size;
    memcpy(buf, "GKCKPT\r\n", 8);
    memcpy(buf + 8, &version, 4);
    memcpy(buf + 12, &zero, 4);
    memcpy(buf + 16, &n, 8);
    memcpy(buf + 24, data, size);
    uint32_t crc = (uint32_t)crc32(0L, buf, (uInt)(24 + size));
    memcpy(buf + 24 + size, &crc, 4);
    return fuzz_file(buf, 28 + size);
}

typedef struct fake_run {
    char preset[64];
    gk_metrics m;
    long step;
    double theta[4];
} fake_run;

/* The blocks, in the order a run lists them (fewer of them). */
static void visit(fake_run *r, gk_state *st) {
    gk_state_block(st, "run.preset", r->preset, sizeof r->preset);
    gk_metrics_visit(&r->m, "run.metrics", st);
    gk_state_long(st, "trainer.step", &r->step);
    gk_state_doubles(st, "trainer.theta", r->theta, 4);
}

/* Loads the payload; a state that loads must save back to the same bytes (nothing cut, nothing guessed). */
static void load_state(const void *payload, size_t len) {
    fake_run r;
    memset(&r, 0, sizeof r);
    gk_metrics_init(&r.m);
    gk_error e;
    if (gk_metrics_add_column(&r.m, "step", &e) || gk_metrics_add_column(&r.m, "time", &e) ||
        gk_metrics_add_column(&r.m, "loss", &e))
        abort();
    gk_state st;
    gk_state_init_load(&st, payload, len);
    visit(&r, &st);
    e.msg[0] = '\0';
    gk_status s = gk_state_status(&st, &e);
    FUZZ_ASSERT(s == GK_OK || e.msg[0] != '\0');
    if (s == GK_OK) {
        gk_state again;
        gk_state_init_save(&again);
        visit(&r, &again);
        FUZZ_ASSERT(gk_state_status(&again, &e) == GK_OK);
        FUZZ_ASSERT(again.len == len && memcmp(again.buf, payload, len) == 0);
        gk_state_free(&again);
    }
    gk_metrics_free(&r.m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    const char *path = data[0] & 1 ? wrapped(data + 1, size - 1) : fuzz_file(data + 1, size - 1);
    void *payload = NULL;
    size_t len = 0;
    gk_error err;
    err.msg[0] = '\0';
    gk_status s = gk_checkpoint_read(path, &payload, &len, &err);
    if (s != GK_OK) {
        FUZZ_ASSERT(err.msg[0] != '\0');
        return 0;
    }
    load_state(payload, len);
    free(payload);
    return 0;
}
