/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * m4count: a QEMU TCG plugin that counts the instructions one vCPU (the
 * emulated board's Cortex-M4) executes in one address range (its code in
 * TCML), while QEMU runs, and attributes them to addresses.
 *
 * Arguments (-plugin libm4count.so,ARG=VALUE,...):
 *   vcpu=N      the vCPU index to count (default 1, the M4 of our board)
 *   lo=ADDR     first code address counted (default 0x1fff8000, TCML)
 *   hi=ADDR     end of the counted range (default 0x20008000)
 *   out=PREFIX  files: PREFIX.count holds the running total (rewritten
 *               every 5 ms); creating PREFIX.reset zeroes the per-address
 *               counts, creating PREFIX.dump writes them to PREFIX.profile
 *               (one "address count" line per instruction executed), and
 *               each trigger file is removed once served.
 *
 * Counting is per instruction (an execution callback on each instruction
 * of a block in the range), so a block left early by an exception counts
 * only what ran.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

/* One translated instruction in the counted range. */
struct insn {
    uint64_t pc;
    uint64_t execs;
};

static unsigned vcpu = 1;
static uint64_t lo = 0x1fff8000, hi = 0x20008000;
static char *prefix;
static uint64_t total;
static GPtrArray *insns;
static GMutex lock;
static volatile int stopping;

static void on_exec(unsigned int cpu, void *udata)
{
    struct insn *in = udata;

    if (cpu != vcpu) {
        return;
    }
    /* Only the counted vCPU's thread writes; the writer thread reads. */
    __atomic_store_n(&in->execs, in->execs + 1, __ATOMIC_RELAXED);
    __atomic_store_n(&total, total + 1, __ATOMIC_RELAXED);
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    uint64_t pc = qemu_plugin_tb_vaddr(tb);

    if (pc < lo || pc >= hi) {
        return;
    }
    for (size_t i = 0; i < qemu_plugin_tb_n_insns(tb); i++) {
        struct qemu_plugin_insn *qi = qemu_plugin_tb_get_insn(tb, i);
        struct insn *in = g_new0(struct insn, 1);

        in->pc = qemu_plugin_insn_vaddr(qi);
        g_mutex_lock(&lock);
        g_ptr_array_add(insns, in);
        g_mutex_unlock(&lock);
        qemu_plugin_register_vcpu_insn_exec_cb(qi, on_exec, QEMU_PLUGIN_CB_NO_REGS, in);
    }
}

static char *path(const char *suffix)
{
    return g_strconcat(prefix, suffix, NULL);
}

/* Replaces the file `suffix` with `text` (written aside, then renamed). */
static void publish(const char *suffix, const char *text)
{
    char *dst = path(suffix), *tmp = g_strconcat(dst, ".tmp", NULL);

    if (g_file_set_contents(tmp, text, -1, NULL)) {
        rename(tmp, dst);
    }
    g_free(tmp);
    g_free(dst);
}

static void write_count(void)
{
    char text[32];

    snprintf(text, sizeof(text), "%" PRIu64 "\n",
             __atomic_load_n(&total, __ATOMIC_RELAXED));
    publish(".count", text);
}

/* Per-address totals, one line each, for the ELF symboliser. */
static void write_profile(void)
{
    GHashTable *per_pc = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
    GString *out = g_string_new(NULL);
    GHashTableIter it;
    gpointer k, v;

    g_mutex_lock(&lock);
    for (guint i = 0; i < insns->len; i++) {
        struct insn *in = g_ptr_array_index(insns, i);
        uint64_t execs = __atomic_load_n(&in->execs, __ATOMIC_RELAXED);
        uint64_t *sum;

        if (!execs) {
            continue;
        }
        sum = g_hash_table_lookup(per_pc, &in->pc);
        if (!sum) {
            uint64_t *key = g_new(uint64_t, 1);
            *key = in->pc;
            sum = g_new0(uint64_t, 1);
            g_hash_table_insert(per_pc, key, sum);
        }
        *sum += execs;
    }
    g_mutex_unlock(&lock);
    g_hash_table_iter_init(&it, per_pc);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        g_string_append_printf(out, "0x%08" PRIx64 " %" PRIu64 "\n",
                               *(uint64_t *)k, *(uint64_t *)v);
    }
    publish(".profile", out->str);
    g_string_free(out, TRUE);
    g_hash_table_destroy(per_pc);
}

static void reset_profile(void)
{
    g_mutex_lock(&lock);
    for (guint i = 0; i < insns->len; i++) {
        struct insn *in = g_ptr_array_index(insns, i);
        __atomic_store_n(&in->execs, 0, __ATOMIC_RELAXED);
    }
    g_mutex_unlock(&lock);
}

/* Serves a trigger file: runs `action` if PREFIX`suffix` exists. */
static void serve(const char *suffix, void (*action)(void))
{
    char *p = path(suffix);

    if (access(p, F_OK) == 0) {
        action();
        unlink(p);
    }
    g_free(p);
}

static gpointer writer(gpointer unused)
{
    while (!__atomic_load_n(&stopping, __ATOMIC_RELAXED)) {
        write_count();
        serve(".reset", reset_profile);
        serve(".dump", write_profile);
        g_usleep(5000);
    }
    return NULL;
}

static void at_exit(qemu_plugin_id_t id, void *unused)
{
    __atomic_store_n(&stopping, 1, __ATOMIC_RELAXED);
    write_count();
}

static bool parse_u64(const char *value, uint64_t *out)
{
    char *end;

    errno = 0;
    *out = g_ascii_strtoull(value, &end, 0);
    return errno == 0 && end != value && *end == '\0';
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
                                           int argc, char **argv)
{
    for (int i = 0; i < argc; i++) {
        char **kv = g_strsplit(argv[i], "=", 2);
        uint64_t n = 0;
        bool ok = kv[0] && kv[1];

        if (ok && g_strcmp0(kv[0], "out") == 0) {
            prefix = g_strdup(kv[1]);
        } else if (ok && g_strcmp0(kv[0], "vcpu") == 0 && parse_u64(kv[1], &n)) {
            vcpu = n;
        } else if (ok && g_strcmp0(kv[0], "lo") == 0 && parse_u64(kv[1], &n)) {
            lo = n;
        } else if (ok && g_strcmp0(kv[0], "hi") == 0 && parse_u64(kv[1], &n)) {
            hi = n;
        } else {
            fprintf(stderr, "m4count: bad argument '%s'\n", argv[i]);
            g_strfreev(kv);
            return -1;
        }
        g_strfreev(kv);
    }
    if (!prefix) {
        fprintf(stderr, "m4count: out=PREFIX is required\n");
        return -1;
    }
    insns = g_ptr_array_new();
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
    qemu_plugin_register_atexit_cb(id, at_exit, NULL);
    g_thread_new("m4count", writer, NULL);
    return 0;
}
