/* doc.c: the man page groklab(1) and the bash completion, written from the same tables as --help (the
 * usage text, `groklab sweep --help`, the preset registry and each experiment's keys), so they cannot drift.
 * The build runs `groklab --help-man` and `groklab --help-completion` (hidden options). */
#include "common.h"
#include "doc.h"
#include "cmd_sweep.h"
#include "plot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Text into roff: backslash and minus escaped, a line starting with '.' or '\'' guarded. */
static void roff_text(FILE *out, const char *s) {
    int bol = 1;
    for (; *s; s++) {
        if (bol && (*s == '.' || *s == '\'')) fputs("\\&", out);
        if (*s == '\\') fputs("\\e", out);
        else if (*s == '-') fputs("\\-", out);
        else fputc(*s, out);
        bol = *s == '\n';
    }
}

/* What a printing function writes to stdout (used for `groklab sweep --help`), as a malloc'd string. */
static char *capture_stdout(int (*fn)(int, char **), int argc, char **argv) {
    FILE *tmp = tmpfile();
    if (!tmp) return NULL;
    fflush(stdout);
    int saved = dup(1);
    if (saved < 0 || dup2(fileno(tmp), 1) < 0) {
        fclose(tmp);
        return NULL;
    }
    fn(argc, argv);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    long n = ftell(tmp);
    char *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (buf) {
        rewind(tmp);
        buf[fread(buf, 1, (size_t)n, tmp)] = '\0';
    }
    fclose(tmp);
    return buf;
}

static void man_verbatim(FILE *out, const char *text) {
    fputs(".nf\n", out);
    roff_text(out, text);
    if (text[0] && text[strlen(text) - 1] != '\n') fputc('\n', out);
    fputs(".fi\n", out);
}

/* The first preset of each experiment type stands for its keys. */
static int first_of_type(size_t i) {
    for (size_t j = 0; j < i; j++)
        if (gk_preset_at(j)->type == gk_preset_at(i)->type) return 0;
    return 1;
}

static void man_keys(FILE *out, const gk_preset *p) {
    fprintf(out, ".SS %s\nPresets:", p->type->name);
    for (size_t j = 0; gk_preset_at(j); j++)
        if (gk_preset_at(j)->type == p->type) fprintf(out, " %s", gk_preset_at(j)->name);
    fputs(".\n", out);
    for (const gk_param_spec *s = p->type->params; s->key; s++) {
        char range[160];
        gk_param_range_str(s, range, sizeof range);
        fputs(".TP\n.BR ", out);
        roff_text(out, s->key);
        fputs(" =", out);
        roff_text(out, s->def);
        fputs("\n", out);
        roff_text(out, s->help);
        fputs(" (", out);
        roff_text(out, range);
        fputs(")\n", out);
    }
}

/* RESUME, THEORY, PLOT (its --help), EXAMPLES and ENVIRONMENT. */
static void man_sections(FILE *out) {
    fputs(".SH RESUME\n", out);
    man_verbatim(out, "groklab resume RUN_DIR [steps=N] [threads=N] [--quiet] [--checkpoint-every S]\n"
                      "Continues a run from its last checkpoint: one that was interrupted, killed, or finished\n"
                      "(steps=N goes further). The resumed metrics are byte-identical to an unbroken run's.\n"
                      "A directory left by a run killed during its set-up (no config.json) is not resumable:\n"
                      "run it again with --force.\n");
    fputs(".SH THEORY\n", out);
    man_verbatim(out, "groklab theory PRESET [key=value ...]\n"
                      "Computes the theory references alone (no training): each reference's train and test\n"
                      "accuracy (or loss) and margin, and the predicted transition step t*.\n");
    char *argv[] = {"plot", "--help", NULL};
    char *plot = capture_stdout(gk_cli_plot, 2, argv);
    fputs(".SH PLOT\n", out);
    man_verbatim(out, plot ? plot : "");
    free(plot);
    fputs(".SH EXAMPLES\n", out);
    man_verbatim(out, "groklab run diag-sparse                       the default experiment (seconds)\n"
                      "groklab run diag-sparse alpha=256 --out runs/a256\n"
                      "groklab run --config runs/a256/config.json   repeat a run\n"
                      "groklab run --config my.toml                 preset = \"diag-sparse\", then [params] alpha = 64\n"
                      "groklab resume runs/a256 steps=300000        continue it further\n"
                      "groklab sweep diag-sparse alpha=16,64,256 wd=2e-2,4e-2 --steps-per-tstar 2 --jobs 2\n"
                      "groklab plot runs/sweep-diag-sparse --by alpha --out alpha.png\n"
                      "groklab theory diag-l2sep\n");
    fputs(".SH ENVIRONMENT\n.TP\n.B OMP_WAIT_POLICY, GOMP_SPINCOUNT\nleft alone when set; otherwise groklab picks a short spin on"
          " idle cores and passive waiting on a busy machine.\n"
          ".TP\n.B GROKLAB_LIB, GROKLAB_BIN\nthe library and binary the Python package uses.\n", out);
}

static int write_man(FILE *out, void (*usage)(FILE *)) {
    char *use = NULL, *sweep = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&use, &len);
    if (!mem) return 1;
    usage(mem);
    fclose(mem);
    char *argv[] = {"sweep", "--help", NULL};
    sweep = capture_stdout(gk_cli_sweep, 2, argv);
    fprintf(out, ".TH GROKLAB 1 \"\" \"groklab %s\" \"User Commands\"\n.nh\n.ad l\n", GK_VERSION);
    fputs(".SH NAME\ngroklab \\- a laboratory for grokking: small models beside their theory references\n", out);
    fputs(".SH SYNOPSIS\n", out);
    man_verbatim(out, use);
    fputs(".SH SWEEPS\n", out);
    man_verbatim(out, sweep ? sweep : "");
    fputs(".SH PRESETS\n", out);
    for (size_t i = 0; gk_preset_at(i); i++) {
        const gk_preset *p = gk_preset_at(i);
        fputs(".TP\n.B ", out);
        roff_text(out, p->name);
        fprintf(out, "\n");
        roff_text(out, p->paper);
        fputs(", ", out);
        roff_text(out, p->figure);
        fputs(": ", out);
        roff_text(out, p->shows);
        if (p->overrides && p->overrides[0]) {
            fputs(".\nKeys set: ", out);
            roff_text(out, p->overrides);
        }
        fputs("\n", out);
    }
    fputs(".SH KEYS\nEvery key is given as key=value after the preset; the defaults below are the experiment's"
          " (a preset may set some, see PRESETS; `groklab run PRESET \\-\\-help' shows the preset's own).\n", out);
    for (size_t i = 0; gk_preset_at(i); i++)
        if (first_of_type(i)) man_keys(out, gk_preset_at(i));
    man_sections(out);
    fputs(".SH EXIT STATUS\n0 success, 1 a run-time failure (I/O, divergence), 2 bad input (nothing written), "
          "130 interrupted (metrics kept).\n.SH FILES\nEach run directory holds config.json, metrics.csv, "
          "summary.json and the figures.\n", out);
    free(use);
    free(sweep);
    return 0;
}

/* One experiment type's keys as words "key=" (keys) and its enumerated keys' values as "key=value" (enums). */
static void completion_keys(FILE *out, const gk_preset *p) {
    fputs(") keys='", out);
    for (const gk_param_spec *s = p->type->params; s->key; s++) fprintf(out, "%s%s=", s == p->type->params ? "" : " ", s->key);
    fputs("'\n        enums='", out);
    for (const gk_param_spec *s = p->type->params; s->key; s++) {
        if (s->kind == GK_P_BOOL) fprintf(out, " %s=0 %s=1", s->key, s->key);
        if (s->kind != GK_P_ENUM || !s->choices) continue;
        for (const char *c = s->choices; *c;) {
            size_t len = strcspn(c, "|");
            fprintf(out, " %s=%.*s", s->key, (int)len, c);
            c += len + (c[len] == '|');
        }
    }
    fputs("' ;;\n", out);
}

/* bash completion: commands, then presets after run/sweep/theory, then the preset's keys (as key=) and, after
 * key=, the values of an enumerated or boolean key (bash splits "key=value" at '=': the key is the word before
 * the '='); plot's --x takes its three axes. */
static int write_completion(FILE *out) {
    fputs("# bash completion for groklab (generated by groklab --help-completion)\n_groklab() {\n"
          "    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} cmd=${COMP_WORDS[1]} keys= enums= key=\n"
          "    if [[ $COMP_CWORD -eq 1 ]]; then\n"
          "        COMPREPLY=($(compgen -W 'list run resume sweep theory plot serve --help --version' -- \"$cur\")); return\n"
          "    fi\n    case $cmd in run|sweep|theory) ;;\n"
          "        plot) if [[ $prev == --x ]]; then COMPREPLY=($(compgen -W 'step t tstar' -- \"$cur\")); return; fi\n"
          "            COMPREPLY=($(compgen -d -- \"$cur\") $(compgen -W '--x --y --by --logx --logy --title --size --font"
          " --out --help' -- \"$cur\")); return ;;\n"
          "        resume) COMPREPLY=($(compgen -d -- \"$cur\") $(compgen -W '--quiet --checkpoint-every --help' -- \"$cur\"));"
          " return ;;\n"
          "        serve) COMPREPLY=($(compgen -d -- \"$cur\") $(compgen -W '--port --host --help' -- \"$cur\")); return ;;\n"
          "        *) return ;; esac\n"
          "    if [[ $COMP_CWORD -eq 2 || $prev == --config ]]; then\n"
          "        [[ $prev == --config ]] && { COMPREPLY=($(compgen -f -- \"$cur\")); return; }\n"
          "        COMPREPLY=($(compgen -W '--config ", out);
    for (size_t i = 0; gk_preset_at(i); i++) fprintf(out, "%s%s", i ? " " : "", gk_preset_at(i)->name);
    fputs("' -- \"$cur\")); return\n    fi\n    case ${COMP_WORDS[2]} in\n", out);
    for (size_t i = 0; gk_preset_at(i); i++) {
        if (!first_of_type(i)) continue;
        const gk_preset *p = gk_preset_at(i);
        fputs("    ", out);
        for (size_t j = i, n = 0; gk_preset_at(j); j++)
            if (gk_preset_at(j)->type == p->type) fprintf(out, "%s%s", n++ ? "|" : "", gk_preset_at(j)->name);
        completion_keys(out, p);
    }
    fputs("    esac\n"
          "    if [[ $cur == = ]]; then key=$prev; cur=\n"
          "    elif [[ $prev == = ]]; then key=${COMP_WORDS[COMP_CWORD-2]}; fi\n"
          "    if [[ -n $key ]]; then\n"
          "        local w vals=\n"
          "        for w in $enums; do [[ $w == \"$key=\"* ]] && vals+=\" ${w#*=}\"; done\n"
          "        COMPREPLY=($(compgen -W \"$vals\" -- \"$cur\")); return 0\n"
          "    fi\n"
          "    local opts='--out --quiet --help'\n"
          "    [[ $cmd == run ]] && opts+=' --save-data --save-weights --force --checkpoint-every --config'\n"
          "    [[ $cmd == sweep ]] && opts+=' --seeds --jobs --z --x --y --steps-per-tstar --checkpoint-every --force'\n"
          "    [[ $cmd == theory ]] && opts=\n"
          "    COMPREPLY=($(compgen -W \"$keys $opts\" -- \"$cur\"))\n"
          "    [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == *= ]] && compopt -o nospace 2>/dev/null\n"
          "    return 0\n}\ncomplete -o default -F _groklab groklab\n", out);
    return 0;
}

int gk_cli_doc(const char *what, void (*usage)(FILE *)) {
    if (!strcmp(what, "man")) return write_man(stdout, usage);
    if (!strcmp(what, "completion")) return write_completion(stdout);
    if (!strcmp(what, "metrics")) return gk_cli_doc_metrics(stdout); /* docs/metrics.md (doc_metrics.c) */
    return gk_cli_bad_input("unknown option (see groklab --help)");
}
