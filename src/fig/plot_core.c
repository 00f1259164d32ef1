/* plot_core.c: what every figure of fig/plot draws with: colours, text metrics, axes (ranges, ticks and their
 * labels, frame, grid, titles) and legends. Text widths are estimated from the character height (DejaVu Sans:
 * digits 0.86, lower case 0.75 character heights wide). */
#include "fig/plot_core.h"

#include <stdio.h>
#include <string.h>

/* ---- colours ------------------------------------------------------------------------------------- */

static const PLINT k_cmap0[N_CMAP0][3] = {
    {255, 255, 255}, {0, 0, 0}, {225, 225, 225}, {90, 90, 90}, {175, 175, 175}, {0, 0, 0}, {0, 0, 0}, {150, 150, 150},
};

void gkf_use_rgb(int rgb, double alpha) {
    int slot = alpha < 1 ? C_BAND : C_RGB;
    plscol0a(slot, (rgb >> 16) & 255, (rgb >> 8) & 255, rgb & 255, alpha);
    plcol0(slot);
}

void gkf_set_cmap0(void) {
    PLINT r[N_CMAP0], g[N_CMAP0], b[N_CMAP0];
    for (int i = 0; i < N_CMAP0; i++) r[i] = k_cmap0[i][0], g[i] = k_cmap0[i][1], b[i] = k_cmap0[i][2];
    plscmap0(r, g, b, N_CMAP0);
}

/* cmap1: the palette's sequential map for values, its diverging one for signed data. */
void gkf_set_cmap1(int diverging) {
    double pos[GK_CMAP_STOPS], c[3][GK_CMAP_STOPS];
    gk_palette_cmap(diverging, pos, c);
    plscmap1n(256);
    plscmap1l(1, GK_CMAP_STOPS, pos, c[0], c[1], c[2], NULL);
}

/* Line styles: 0 and 1 solid, 2 dashed, 3 dotted, 4 dash-dot (marks and spaces in micrometres). */
void gkf_line_style(int style) {
    static PLINT dash_m = 4500, dash_s = 2500, dot_m = 700, dot_s = 1600, long_m = 9000, long_s = 2500;
    static PLINT dd_m[2] = {4500, 700}, dd_s[2] = {1600, 1600};
    if (style == 2) plstyl(1, &dash_m, &dash_s);
    else if (style == 3) plstyl(1, &dot_m, &dot_s);
    else if (style == 4) plstyl(2, dd_m, dd_s);
    else if (style == 5) plstyl(1, &long_m, &long_s);
    else plstyl(0, NULL, NULL);
}

/* ---- text sizes ---------------------------------------------------------------------------------- */

const double gkf_scale[4] = {1.15, 0.95, 0.85, 0.75};
_Thread_local double gkf_font = 1;

/* Pixels of one character height at scale 1: PLplot's cairo and svg devices have 72 dots per inch. */
static const double g_ch1 = CHAR_MM * 72 / 25.4;

double gkf_ch_px(int size) { return g_ch1 * gkf_scale[size] * gkf_font; }
void gkf_text_size(int size) { plschr(0, gkf_scale[size] * gkf_font); }

/* Estimated width of a PLplot string in character heights: escapes skipped, super/subscripts smaller,
 * one width per UTF-8 character. */
double gkf_text_em(const char *s) {
    double w = 0;
    int level = 0;
    for (const char *p = s ? s : ""; *p; p++) {
        if (p[0] == '#' && (p[1] == 'u' || p[1] == 'd')) {
            level += p[1] == 'u' ? 1 : -1;
            p++;
            continue;
        }
        if (p[0] == '#' && p[1] == '(') {
            const char *q = strchr(p, ')');
            if (q) p = q;
            w += 0.8;
            continue;
        }
        if (p[0] == '#' && p[1] == 'g' && p[2]) p += 2;
        if (((unsigned char)*p & 0xC0) == 0x80) continue; /* UTF-8 continuation byte */
        double cw = (*p >= '0' && *p <= '9') ? 0.86 : (*p >= 'A' && *p <= 'Z') ? 0.9 : (*p == ' ' || *p == '.') ? 0.45 : 0.76;
        w += level ? 0.7 * cw : cw;
    }
    return w;
}

/* ---- axes ---------------------------------------------------------------------------------------- */

/* 1, 2, 2.5 or 5 times a power of ten, near span / target. */
double gkf_nice_step(double span, int target) {
    double raw = span / target, p = pow(10, floor(log10(raw))), m = raw / p;
    return (m <= 1.0001 ? 1 : m <= 2.0001 ? 2 : m <= 2.5001 ? 2.5 : m <= 5.0001 ? 5 : 10) * p;
}

/* A log axis end (log10 units) at 1, 2 or 5 x 10^k: the largest one <= v (dir < 0) or smallest >= v. */
static double nice_log_end(double v, int dir) {
    static const double m[4] = {1, 2, 5, 10};
    double e = floor(v + 1e-9), best = dir < 0 ? e : e + 1;
    for (int k = 0; k < 4; k++) {
        double t = e + log10(m[k]);
        if (dir < 0 && t <= v + 1e-9) best = t;
        if (dir > 0 && t >= v - 1e-9) return t;
    }
    return best;
}

/* Axis from the data range r. Log: whole decades, every one labelled (every k-th when there are more
 * than 12). Linear: ends on major ticks unless `fixed` (the caller's exact range). */
axis gkf_axis_make(range r, int logaxis, int fixed, int target) {
    axis a = {0};
    a.log = logaxis;
    if (!r.any) r.lo = 0, r.hi = 1;
    if (r.hi - r.lo < 1e-300 * fmax(1, fabs(r.lo))) r.lo -= logaxis ? 0 : 0.5 + 0.05 * fabs(r.lo), r.hi += logaxis ? 0 : 0.5 + 0.05 * fabs(r.hi);
    if (logaxis) {
        a.lo = fixed ? r.lo : nice_log_end(r.lo, -1);
        a.hi = fixed ? r.hi : nice_log_end(r.hi, 1);
        if (!fixed && floor(a.hi + 1e-9) - ceil(a.lo - 1e-9) < 1) /* fewer than two decades inside: whole ones */
            a.lo = floor(r.lo + 1e-9), a.hi = ceil(r.hi - 1e-9);
        if (a.hi <= a.lo) a.hi = a.lo + 1;
        double span = a.hi - a.lo;
        a.step = span <= 12 ? 1 : ceil(span / 12);
        a.plain125 = span <= 1.6 + 1e-9 && a.lo >= -3 - 1e-9 && a.hi <= 5 + 1e-9; /* 10^k alone would be 2 labels */
        return a;
    }
    double mag = fmax(fabs(r.lo), fabs(r.hi));
    if (!fixed && r.hi - r.lo < 2e-3 * mag) { /* a near-constant curve (a loss at ln 2): at most 4 digits */
        double mid = 0.5 * (r.lo + r.hi);
        r.lo = mid - 1e-3 * mag, r.hi = mid + 1e-3 * mag;
    }
    a.step = gkf_nice_step(r.hi - r.lo, target);
    /* (a value beyond a tick by less than 0.1% of a step, like 2.0004 t*, does not add a whole step) */
    a.lo = fixed ? r.lo : a.step * floor(r.lo / a.step + 1e-3);
    a.hi = fixed ? r.hi : a.step * ceil(r.hi / a.step - 1e-3);
    if (a.hi <= a.lo) a.hi = a.lo + a.step;
    double mant = a.step / pow(10, floor(log10(a.step) + 1e-9));
    a.nsub = fabs(mant - 2) < 1e-6 ? 4 : 5;
    double big = fmax(fabs(a.lo), fabs(a.hi));
    a.sci = big >= 1e6 || big < 1e-3;
    /* the digits the step needs: 2500 none, 0.25 two (not "17500.0") */
    a.decimals = (int)fmax(0, -floor(log10(a.step) + 1e-9) + (fabs(mant - 2.5) < 1e-6 ? 1 : 0));
    return a;
}

/* On a log axis too short for a label at every decade (need: pixels between label centres), label every
 * k-th decade instead, the fewest that fit. */
void gkf_thin_log_axis(axis *a, double px, double need) {
    if (!a->log || a->hi <= a->lo) return;
    double per = px / (a->hi - a->lo);
    if (a->plain125 && per * log10(2) < need) a->plain125 = 0; /* 1, 2, 5: 0.3 decades apart at the closest */
    if (per * a->step < need) a->step = ceil(need / per);
}

/* The major ticks inside the axis, in axis units. */
int gkf_axis_ticks(const axis *a, double *t, int max) {
    int n = 0;
    double eps = 1e-9 * a->step;
    if (a->log && a->plain125) {
        for (double k = floor(a->lo) - 1; k <= ceil(a->hi) && n < max; k++)
            for (int j = 0; j < 3 && n < max; j++) {
                double v = k + log10((const double[3]){1, 2, 5}[j]);
                if (v >= a->lo - 1e-9 && v <= a->hi + 1e-9) t[n++] = v;
            }
        return n;
    }
    for (double k = ceil((a->lo - eps) / a->step); n < max; k++) {
        double v = k * a->step;
        if (v > a->hi + eps) break;
        t[n++] = fabs(v) < eps ? 0 : v;
    }
    return n;
}

/* A tick label: 10^k on log axes, else the value in full (m x 10^k for very large or small values). */
void gkf_tick_label(const axis *a, double v, char *buf, size_t len) {
    if (a->log && a->plain125) {
        snprintf(buf, len, "%g", pow(10, v));
        return;
    }
    if (a->log) {
        long e = lround(v);
        snprintf(buf, len, "10#u%ld#d", e);
        return;
    }
    if (v == 0) {
        snprintf(buf, len, "0");
        return;
    }
    if (!a->sci) {
        snprintf(buf, len, "%.*f", a->decimals, v);
        return;
    }
    int e = (int)floor(log10(fabs(v)) + 1e-9);
    int digits = (int)fmax(0, e - floor(log10(a->step) + 1e-9));
    double m = v / pow(10, e);
    if (digits == 0 && fabs(fabs(m) - 1) < 1e-9) snprintf(buf, len, "%s10#u%d#d", m < 0 ? "-" : "", e);
    else snprintf(buf, len, "%.*f\xc3\x97" "10#u%d#d", digits, m, e); /* U+00D7, the multiplication sign */
}

/* Half the width of the last tick's label (it is centred on the axis end: the page keeps room for it). */
double gkf_last_tick_half(const axis *a) {
    double t[MAX_TICKS];
    char buf[64];
    int n = gkf_axis_ticks(a, t, MAX_TICKS);
    if (n == 0) return 0;
    gkf_tick_label(a, t[n - 1], buf, sizeof buf);
    return 0.5 * gkf_text_px(buf, S_TICK) * (1 - axis_frac(a, t[n - 1]) < 0.02);
}

/* The widest tick label, in pixels. */
double gkf_ticks_width(const axis *a) {
    double t[MAX_TICKS], w = 0;
    char buf[64];
    int n = gkf_axis_ticks(a, t, MAX_TICKS);
    for (int i = 0; i < n; i++) {
        gkf_tick_label(a, t[i], buf, sizeof buf);
        w = fmax(w, gkf_text_px(buf, S_TICK));
    }
    return w;
}

/* Tick labels along one side: "b" (below) or "l" (left, horizontal, right-aligned) or "r". */
void gkf_draw_tick_labels(const axis *a, const char *side) {
    double t[MAX_TICKS];
    char buf[64];
    int n = gkf_axis_ticks(a, t, MAX_TICKS);
    gkf_text_size(S_TICK);
    plcol0(C_BLACK);
    for (int i = 0; i < n; i++) {
        gkf_tick_label(a, t[i], buf, sizeof buf);
        double f = axis_frac(a, t[i]);
        if (side[0] == 'b') plmtex("b", 1.5, f, 0.5, buf);
        else if (side[0] == 'l') plmtex("lv", 0.6, f, 1.0, buf);
        else plmtex("rv", 0.6, f, 0.0, buf);
    }
}

/* The light grid under the data, at the major ticks. */
void gkf_draw_grid(const axis *xa, const axis *ya) {
    plcol0(C_GRID);
    plwidth(1);
    gkf_line_style(0);
    plbox(xa->log ? "gl" : "g", xa->step, 0, ya->log ? "gl" : "g", ya->step, 0);
}

/* The frame with major and minor ticks, drawn over the data. */
void gkf_draw_frame(const axis *xa, const axis *ya) {
    plcol0(C_BLACK);
    plwidth(1);
    gkf_line_style(0);
    plbox(xa->log ? "bcstl" : "bcst", xa->step, xa->log ? 0 : xa->nsub, ya->log ? "bcstl" : "bcst", ya->step,
          ya->log ? 0 : ya->nsub);
}

/* Whether text s has PLplot's escape #c (#u: a superscript, #d: a subscript). */
static int has_escape(const char *s, char c) {
    for (const char *p = s ? s : ""; *p; p++)
        if (p[0] == '#' && p[1] == c) return 1;
    return 0;
}

/* The room (in character heights) a line of text takes beyond its own height for its super- and subscripts. */
double gkf_script_em(const char *s) { return 0.45 * (has_escape(s, 'u') + has_escape(s, 'd')); }

/* Space the axis texts of a frame need: left = y tick labels + y label, bottom = x tick labels + x label (a
 * superscript in the x label moves it down, away from the tick labels; a subscript needs room below). */
double gkf_left_margin(double ytick_w, const char *ylabel) {
    return 10 + ytick_w + 0.6 * gkf_ch_px(S_TICK) + (has_text(ylabel) ? 2.1 * gkf_ch_px(S_LABEL) : 0);
}
double gkf_bottom_margin(const char *xlabel) {
    return 2.4 * gkf_ch_px(S_TICK) + (has_text(xlabel) ? (1.7 + gkf_script_em(xlabel)) * gkf_ch_px(S_LABEL) : 0) + 4;
}

/* The axis labels at the distances left_margin / bottom_margin reserved. */
void gkf_draw_axis_labels(double ytick_w, const char *xlabel, const char *ylabel) {
    gkf_text_size(S_LABEL);
    plcol0(C_BLACK);
    double c = gkf_ch_px(S_LABEL), up = has_escape(xlabel, 'u') ? 0.45 * c : 0;
    if (has_text(xlabel)) plmtex("b", (2.4 * gkf_ch_px(S_TICK) + 0.7 * c + up) / c, 0.5, 0.5, xlabel);
    if (has_text(ylabel)) plmtex("l", (ytick_w + 0.6 * gkf_ch_px(S_TICK) + 1.2 * c) / c, 0.5, 0.5, ylabel);
}

void gkf_draw_figure_title(const page *pg, const char *title, double band) {
    if (!has_text(title)) return;
    plvpor(0, 1, 0, 1);
    plwind(0, 1, 0, 1);
    plcol0(C_BLACK);
    double fit = 0.96 * pg->w / (gkf_text_em(title) * gkf_ch_px(S_TITLE)); /* a long title shrinks to the page */
    plschr(0, gkf_scale[S_TITLE] * gkf_font * fmin(1, fit));
    plptex(0.5, 1 - 0.55 * band / pg->h, 1, 0, 0.5, title);
}
/* ---- legends: drawn in pixels, placed where they cover no curve --------------------------------- */

/* An entry; an identical one (same text, colour, style) is added once. */
void gkf_legend_add(legend *lg, const char *text, int rgb, int style) {
    if (!has_text(text) || lg->n >= MAX_ENTRIES) return;
    for (int k = 0; k < lg->n; k++)
        if (!strcmp(lg->text[k], text) && lg->rgb[k] == rgb && lg->style[k] == style) return;
    lg->text[lg->n] = text, lg->rgb[lg->n] = rgb, lg->style[lg->n] = style;
    lg->n++;
}

/* An entry's row height in character heights: more for super- and subscripts, which would touch the next row. */
static double row_em(const char *text) { return 1.5 + gkf_script_em(text); }

void gkf_legend_measure(legend *lg) {
    double c = gkf_ch_px(S_TICK), wmax = 0, rows = 0;
    for (int k = 0; k < lg->n; k++) wmax = fmax(wmax, gkf_text_px(lg->text[k], S_TICK)), rows += row_em(lg->text[k]);
    lg->w = lg->n ? 0.8 * c + 2.4 * c + 0.6 * c + wmax + 0.8 * c : 0;
    lg->h = lg->n ? rows * c + 0.7 * c : 0;
}

/* Does the segment (x0, y0)-(x1, y1) meet the box? (Liang-Barsky clipping.) */
int gkf_segment_hits(double x0, double y0, double x1, double y1, box r) {
    double t0 = 0, t1 = 1, dx = x1 - x0, dy = y1 - y0;
    double p[4] = {-dx, dx, -dy, dy}, q[4] = {x0 - r.l, r.r - x0, y0 - r.t, r.b - y0};
    for (int i = 0; i < 4; i++) {
        if (p[i] == 0) {
            if (q[i] < 0) return 0;
            continue;
        }
        double t = q[i] / p[i];
        if (p[i] < 0) {
            if (t > t1) return 0;
            if (t > t0) t0 = t;
        } else {
            if (t < t0) return 0;
            if (t < t1) t1 = t;
        }
    }
    return 1;
}

/* Draws the legend in box r (pixels). */
void gkf_legend_draw(const legend *lg, const page *pg, box r) {
    if (lg->n == 0) return;
    plvpor(0, 1, 0, 1);
    plwind(0, pg->w, 0, pg->h);
    PLFLT bx[5] = {r.l, r.r, r.r, r.l, r.l}, by[5] = {pg->h - r.t, pg->h - r.t, pg->h - r.b, pg->h - r.b, pg->h - r.t};
    plcol0(C_WHITE);
    plfill(4, bx, by);
    plcol0(C_FRAME);
    plwidth(1);
    gkf_line_style(0);
    plline(5, bx, by);
    double c = gkf_ch_px(S_TICK);
    gkf_text_size(S_TICK);
    double top = r.t + 0.35 * c; /* of the row */
    for (int k = 0; k < lg->n; k++) {
        double y = pg->h - (top + 0.5 * row_em(lg->text[k]) * c + 0.15 * c);
        top += row_em(lg->text[k]) * c;
        PLFLT lx[2] = {r.l + 0.8 * c, r.l + 3.2 * c}, ly[2] = {y, y};
        gkf_use_rgb(lg->rgb[k], 1);
        plwidth(2.2);
        if (lg->style[k] == 1) {
            PLFLT mx = 0.5 * (lx[0] + lx[1]);
            plstring(1, &mx, &y, SYMBOL);
        } else {
            gkf_line_style(lg->style[k]);
            plline(2, lx, ly);
        }
        gkf_line_style(0);
        plcol0(C_BLACK);
        plptex(lx[1] + 0.6 * c, y, 1, 0, 0, lg->text[k]);
    }
    plwidth(1);
}
