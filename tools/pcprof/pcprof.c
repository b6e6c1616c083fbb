/* pcprof: a QEMU TCG plugin that counts, exactly, how often each guest instruction address
 * executes. Every translated instruction gets an inline counter (so a block left half way
 * counts right); a block translated again gets new counters, summed per address at exit.
 * At exit it writes "pc count" lines (hex, decimal) sorted by pc to the file out=PATH.
 * `xtask profile` (xtask/src/bench_profile.rs) builds it, boots with it and reads the file. */
#include "qemu-plugin-api.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = 1;

struct counter { uint64_t pc, count; };

/* Counters live in fixed chunks that never move: QEMU holds pointers into them. */
#define CHUNK_LEN (1 << 16)
static struct counter **chunks;
static size_t n_chunks, chunks_cap, used_in_last = CHUNK_LEN;
static const char *out_path = "pcprof.txt";

static struct counter *new_counter(uint64_t pc) {
    if (used_in_last == CHUNK_LEN) {
        if (n_chunks == chunks_cap) {
            chunks_cap = chunks_cap ? 2 * chunks_cap : 64;
            chunks = realloc(chunks, chunks_cap * sizeof *chunks);
            if (!chunks) abort();
        }
        chunks[n_chunks] = calloc(CHUNK_LEN, sizeof(struct counter));
        if (!chunks[n_chunks]) abort();
        n_chunks++;
        used_in_last = 0;
    }
    struct counter *c = &chunks[n_chunks - 1][used_in_last++];
    c->pc = pc;
    return c;
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
    (void)id;
    for (size_t i = 0; i < qemu_plugin_tb_n_insns(tb); i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        struct counter *c = new_counter(qemu_plugin_insn_vaddr(insn));
        qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, &c->count, 1);
    }
}

static int by_pc(const void *a, const void *b) {
    const struct counter *x = a, *y = b;
    return x->pc < y->pc ? -1 : x->pc > y->pc;
}

static void write_counts(qemu_plugin_id_t id, void *unused) {
    (void)id; (void)unused;
    size_t total = n_chunks ? (n_chunks - 1) * (size_t)CHUNK_LEN + used_in_last : 0;
    struct counter *all = malloc((total ? total : 1) * sizeof *all);
    if (!all) return;
    for (size_t c = 0; c < n_chunks; c++) {
        size_t len = c + 1 == n_chunks ? used_in_last : CHUNK_LEN;
        memcpy(all + c * CHUNK_LEN, chunks[c], len * sizeof *all);
    }
    qsort(all, total, sizeof *all, by_pc);
    FILE *f = fopen(out_path, "w");
    if (!f) { perror(out_path); return; }
    for (size_t i = 0; i < total;) {
        uint64_t pc = all[i].pc, sum = 0;
        while (i < total && all[i].pc == pc) sum += all[i++].count;
        if (sum) fprintf(f, "%" PRIx64 " %" PRIu64 "\n", pc, sum);
    }
    fclose(f);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
                                           int argc, char **argv) {
    (void)info;
    for (int i = 0; i < argc; i++)
        if (!strncmp(argv[i], "out=", 4)) out_path = strdup(argv[i] + 4);
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
    qemu_plugin_register_atexit_cb(id, write_counts, NULL);
    return 0;
}
