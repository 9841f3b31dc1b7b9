/* Compiled kernels of scrapy_newsclean's hot loops (see scrapy_newsclean/_accel.py).
 *
 * Every function here returns exactly what its pure Python reference returns
 * (tests/test_accel.py compares them on generated and real inputs); the pure
 * modules document the algorithms:
 *
 *   digests(features)        neardup/_features.py  _digests_of
 *   shingle_hashes(digests)  neardup/_features.py  shingle_hashes
 *   fold(digests, weight)    neardup/_simhash.py   fold
 *   min_hash_sketch(sh)      neardup/_sketch.py    min_hash_sketch
 *   simhash_sketch(blob)     neardup/_fingerprint.py  _simhash_sketch
 *   forms, alnum_form, normal_form(text)   cleaning/_repeats.py  _fast_sub
 *   word_count(text)         cleaning/_blocks.py   _words
 *   any_in(text, words)      cleaning/_signatures.py  hint words
 *   post(tokens, i, df, postings)  cleaning/_repeats.py  _Index._post
 *   learnable_keys(blocks)   cleaning/_site_templates.py  learnable_keys
 *
 * BLAKE2b (digest size 8, no key) follows the RFC 7693 reference code.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

/* cleaning/_site_templates.py DEFAULT_MAX_CHARS */
#define TEMPLATE_MAX_CHARS 300

/* ---- BLAKE2b, RFC 7693 ------------------------------------------------- */

static const uint64_t B2B_IV[8] = {
    0x6A09E667F3BCC908ULL, 0xBB67AE8584CAA73BULL, 0x3C6EF372FE94F82BULL,
    0xA54FF53A5F1D36F1ULL, 0x510E527FADE682D1ULL, 0x9B05688C2B3E6C1FULL,
    0x1F83D9ABFB41BD6BULL, 0x5BE0CD19137E2179ULL,
};

static const uint8_t B2B_SIGMA[12][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
    {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
    {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
    {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
    {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
    {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
    {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
    {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
    {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
};

#define ROTR64(x, y) (((x) >> (y)) ^ ((x) << (64 - (y))))
#define B2B_G(a, b, c, d, x, y)          \
    do {                                 \
        v[a] = v[a] + v[b] + (x);        \
        v[d] = ROTR64(v[d] ^ v[a], 32);  \
        v[c] = v[c] + v[d];              \
        v[b] = ROTR64(v[b] ^ v[c], 24);  \
        v[a] = v[a] + v[b] + (y);        \
        v[d] = ROTR64(v[d] ^ v[a], 16);  \
        v[c] = v[c] + v[d];              \
        v[b] = ROTR64(v[b] ^ v[c], 63);  \
    } while (0)

static uint64_t
load64_le(const uint8_t *p)
{
    return (uint64_t)p[0] | ((uint64_t)p[1] << 8) | ((uint64_t)p[2] << 16) |
           ((uint64_t)p[3] << 24) | ((uint64_t)p[4] << 32) |
           ((uint64_t)p[5] << 40) | ((uint64_t)p[6] << 48) |
           ((uint64_t)p[7] << 56);
}

static uint64_t
load64_be(const uint8_t *p)
{
    return ((uint64_t)p[0] << 56) | ((uint64_t)p[1] << 48) |
           ((uint64_t)p[2] << 40) | ((uint64_t)p[3] << 32) |
           ((uint64_t)p[4] << 24) | ((uint64_t)p[5] << 16) |
           ((uint64_t)p[6] << 8) | (uint64_t)p[7];
}

static void
b2b_compress(uint64_t h[8], const uint8_t block[128], uint64_t t, int last)
{
    uint64_t v[16], m[16];
    for (int i = 0; i < 8; i++) {
        v[i] = h[i];
        v[i + 8] = B2B_IV[i];
    }
    v[12] ^= t; /* messages here stay far below 2**64 bytes: t[1] is 0 */
    if (last) {
        v[14] = ~v[14];
    }
    for (int i = 0; i < 16; i++) {
        m[i] = load64_le(block + 8 * i);
    }
    for (int i = 0; i < 12; i++) {
        const uint8_t *s = B2B_SIGMA[i];
        B2B_G(0, 4, 8, 12, m[s[0]], m[s[1]]);
        B2B_G(1, 5, 9, 13, m[s[2]], m[s[3]]);
        B2B_G(2, 6, 10, 14, m[s[4]], m[s[5]]);
        B2B_G(3, 7, 11, 15, m[s[6]], m[s[7]]);
        B2B_G(0, 5, 10, 15, m[s[8]], m[s[9]]);
        B2B_G(1, 6, 11, 12, m[s[10]], m[s[11]]);
        B2B_G(2, 7, 8, 13, m[s[12]], m[s[13]]);
        B2B_G(3, 4, 9, 14, m[s[14]], m[s[15]]);
    }
    for (int i = 0; i < 8; i++) {
        h[i] ^= v[i] ^ v[i + 8];
    }
}

/* blake2b(data, digest_size=8).digest() as bytes out[0..7]. */
static void
blake2b_8(const uint8_t *data, Py_ssize_t size, uint8_t out[8])
{
    uint64_t h[8];
    uint8_t block[128];
    uint64_t t = 0;
    memcpy(h, B2B_IV, sizeof h);
    h[0] ^= 0x01010000ULL ^ 8; /* fanout 1, depth 1, no key, digest size 8 */
    while (size > 128) {
        t += 128;
        b2b_compress(h, data, t, 0);
        data += 128;
        size -= 128;
    }
    memset(block, 0, sizeof block);
    memcpy(block, data, (size_t)size);
    t += (uint64_t)size;
    b2b_compress(h, block, t, 1);
    for (int i = 0; i < 8; i++) {
        out[i] = (uint8_t)(h[0] >> (8 * i));
    }
}

/* ---- feature digests (neardup/_features.py) ---------------------------- */

/* The fixed byte permutation of neardup/_features.py (_SBOXES[1], [2]):
 * generated from it; tests/test_accel.py checks they stay equal. */
#include "_speedups_sbox.h"

/* is_numeric(feature): not feature.isalpha() and it holds a decimal digit. */
static int
is_numeric(PyObject *feature)
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(feature);
    int kind = PyUnicode_KIND(feature);
    const void *data = PyUnicode_DATA(feature);
    int alpha = n > 0, digit = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 ch = PyUnicode_READ(kind, data, i);
        if (!Py_UNICODE_ISALPHA(ch)) {
            alpha = 0;
            if (Py_UNICODE_ISDECIMAL(ch)) {
                digit = 1;
            }
        }
    }
    return !alpha && digit;
}

/* feature_digest(feature) into out[0..7]; -1 with an exception set on error. */
static int
feature_digest(PyObject *feature, uint8_t out[8])
{
    if (!PyUnicode_Check(feature)) {
        PyErr_Format(PyExc_TypeError, "features must be str, got %.100s",
                     Py_TYPE(feature)->tp_name);
        return -1;
    }
    if (PyUnicode_IS_ASCII(feature)) {
        blake2b_8(PyUnicode_1BYTE_DATA(feature), PyUnicode_GET_LENGTH(feature),
                  out);
    }
    else {
        PyObject *encoded =
            PyUnicode_AsEncodedString(feature, "utf-8", "surrogatepass");
        if (encoded == NULL) {
            return -1;
        }
        blake2b_8((const uint8_t *)PyBytes_AS_STRING(encoded),
                  PyBytes_GET_SIZE(encoded), out);
        Py_DECREF(encoded);
    }
    out[7] = (uint8_t)((out[7] & 0xFE) | is_numeric(feature));
    return 0;
}

static PyObject *
speedups_digests(PyObject *module, PyObject *features)
{
    PyObject *seq = PySequence_Fast(features, "features must be a sequence");
    if (seq == NULL) {
        return NULL;
    }
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    PyObject *result = PyList_New(n);
    if (result == NULL) {
        Py_DECREF(seq);
        return NULL;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        uint8_t digest[8];
        PyObject *item;
        if (feature_digest(PySequence_Fast_GET_ITEM(seq, i), digest) < 0 ||
            (item = PyBytes_FromStringAndSize((const char *)digest, 8)) == NULL) {
            Py_DECREF(seq);
            Py_DECREF(result);
            return NULL;
        }
        PyList_SET_ITEM(result, i, item);
    }
    Py_DECREF(seq);
    return result;
}

/* ---- shingles, simhash fold, min-hash sketch --------------------------- */

#define SHINGLE 3

/* Shingle i of `count` digests: d[i] ^ P(d[i + 1]) ^ P(P(d[i + 2])). */
static void
shingles_into(const uint8_t *d, Py_ssize_t count, uint8_t *out)
{
    Py_ssize_t width = count < SHINGLE ? count : SHINGLE;
    Py_ssize_t size = 8 * (count - width + 1);
    if (width == 1) {
        memcpy(out, d, (size_t)size);
    }
    else if (width == 2) {
        for (Py_ssize_t i = 0; i < size; i++) {
            out[i] = d[i] ^ SBOX1[d[i + 8]];
        }
    }
    else {
        for (Py_ssize_t i = 0; i < size; i++) {
            out[i] = d[i] ^ SBOX1[d[i + 8]] ^ SBOX2[d[i + 16]];
        }
    }
}

static PyObject *
speedups_shingle_hashes(PyObject *module, PyObject *arg)
{
    Py_buffer view;
    if (PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE) < 0) {
        return NULL;
    }
    Py_ssize_t count = view.len / 8;
    Py_ssize_t runs = count ? count - (count < SHINGLE ? count : SHINGLE) + 1 : 0;
    PyObject *result = PyBytes_FromStringAndSize(NULL, 8 * runs);
    if (result != NULL && runs) {
        shingles_into(view.buf, count, (uint8_t *)PyBytes_AS_STRING(result));
    }
    PyBuffer_Release(&view);
    return result;
}

/* Per-bit counts of big-endian 64-bit words: bit-sliced byte counters. */
typedef struct {
    uint64_t lanes[8]; /* byte k of lanes[b] counts bit 8k + b */
    unsigned pending;  /* additions since the last flush (< 256) */
    uint64_t counts[64];
} BitCounter;

static void
counter_flush(BitCounter *c)
{
    for (int b = 0; b < 8; b++) {
        for (int k = 0; k < 8; k++) {
            c->counts[8 * k + b] += (c->lanes[b] >> (8 * k)) & 0xFF;
        }
        c->lanes[b] = 0;
    }
    c->pending = 0;
}

static inline void
counter_add(BitCounter *c, uint64_t value)
{
    if (c->pending == 255) {
        counter_flush(c);
    }
    for (int b = 0; b < 8; b++) {
        c->lanes[b] += (value >> b) & 0x0101010101010101ULL;
    }
    c->pending++;
}

/* Bits whose count exceeds `half` (a count never exceeds 2**62). */
static uint64_t
counter_bits(BitCounter *c, long long half)
{
    uint64_t bits = 0;
    counter_flush(c);
    for (int i = 0; i < 64; i++) {
        if (half < 0 || c->counts[i] > (uint64_t)half) {
            bits |= (uint64_t)1 << i;
        }
    }
    return bits;
}

static PyObject *
speedups_fold(PyObject *module, PyObject *args)
{
    Py_buffer view;
    PyObject *weight;
    if (!PyArg_ParseTuple(args, "y*O!:fold", &view, &PyLong_Type, &weight)) {
        return NULL;
    }
    int overflow;
    long long w = PyLong_AsLongLongAndOverflow(weight, &overflow);
    if (w == -1 && PyErr_Occurred()) {
        PyBuffer_Release(&view);
        return NULL;
    }
    BitCounter counter;
    memset(&counter, 0, sizeof counter);
    const uint8_t *d = view.buf;
    Py_ssize_t words = view.len / 8;
    for (Py_ssize_t i = 0; i < words; i++) {
        counter_add(&counter, load64_be(d + 8 * i));
    }
    /* trailing bytes count in their byte column, as in the pure version */
    for (Py_ssize_t p = 8 * words; p < view.len; p++) {
        for (int b = 0; b < 8; b++) {
            counter.counts[8 * (7 - p % 8) + b] += (d[p] >> b) & 1;
        }
    }
    PyBuffer_Release(&view);
    uint64_t bits;
    if (overflow > 0) {
        bits = 0;
    }
    else if (overflow < 0) {
        bits = ~(uint64_t)0;
    }
    else {
        long long half = w >= 0 ? w / 2 : -((-w + 1) / 2); /* floor division */
        bits = counter_bits(&counter, half);
    }
    return PyLong_FromUnsignedLongLong(bits);
}

#define BINS 3
#define BIN_BITS 21
#define BIN_MASK ((1ULL << BIN_BITS) - 1)
#define LOWEST 24

/* The packed sketch of `count` big-endian 64-bit shingle hashes (count > 0). */
static uint64_t
sketch_of(const uint8_t *sh, Py_ssize_t count)
{
    uint64_t low[LOWEST];
    int n = 0;
    for (Py_ssize_t i = 0; i < count; i++) {
        uint64_t value = load64_be(sh + 8 * i);
        if (n == LOWEST && value >= low[LOWEST - 1]) {
            continue;
        }
        int j = n < LOWEST ? n++ : LOWEST - 1;
        while (j > 0 && low[j - 1] > value) {
            low[j] = low[j - 1];
            j--;
        }
        low[j] = value;
    }
    uint64_t found[BINS] = {0, 0, 0};
    int have[BINS] = {0, 0, 0}, missing = BINS;
    for (int i = 0; i < n && missing; i++) {
        int b = (int)(low[i] % BINS);
        if (!have[b]) {
            found[b] = (low[i] / BINS) & BIN_MASK;
            have[b] = 1;
            missing--;
        }
    }
    uint64_t sketch = 0;
    for (int b = 0; b < BINS; b++) {
        int step = 0;
        while (!have[(b + step) % BINS]) {
            step++;
        }
        uint64_t value = found[(b + step) % BINS] + 0x9E3779ULL * (uint64_t)step;
        sketch |= (value & BIN_MASK) << (BIN_BITS * (BINS - 1 - b));
    }
    return sketch;
}

static PyObject *
speedups_min_hash_sketch(PyObject *module, PyObject *arg)
{
    Py_buffer view;
    if (PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE) < 0) {
        return NULL;
    }
    uint64_t sketch = 0;
    if (view.len % 8) {
        PyErr_SetString(PyExc_ValueError,
                        "bytes length not a multiple of item size");
    }
    else if (view.len) {
        sketch = sketch_of(view.buf, view.len / 8);
    }
    PyBuffer_Release(&view);
    return PyErr_Occurred() ? NULL : PyLong_FromUnsignedLongLong(sketch);
}

/* (simhash, sketch) of a feature blob: shingles, each covering a numeric
 * feature counted twice, folded; the sketch of the shingles. */
static PyObject *
speedups_simhash_sketch(PyObject *module, PyObject *arg)
{
    Py_buffer view;
    if (PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE) < 0) {
        return NULL;
    }
    const uint8_t *d = view.buf;
    Py_ssize_t count = view.len / 8;
    if (!count) {
        PyBuffer_Release(&view);
        return Py_BuildValue("(ii)", 0, 0);
    }
    Py_ssize_t width = count < SHINGLE ? count : SHINGLE;
    Py_ssize_t runs = count - width + 1;
    uint8_t *sh = PyMem_Malloc((size_t)(8 * runs));
    if (sh == NULL) {
        PyBuffer_Release(&view);
        return PyErr_NoMemory();
    }
    shingles_into(d, count, sh);
    BitCounter counter;
    memset(&counter, 0, sizeof counter);
    long long total = runs;
    for (Py_ssize_t i = 0; i < runs; i++) {
        uint64_t value = load64_be(sh + 8 * i);
        counter_add(&counter, value);
        int numeric = 0;
        for (Py_ssize_t j = i; j < i + width; j++) {
            numeric |= d[8 * j + 7] & 1;
        }
        if (numeric) {
            counter_add(&counter, value);
            total++;
        }
    }
    PyBuffer_Release(&view);
    uint64_t simhash = counter_bits(&counter, total / 2);
    uint64_t sketch = sketch_of(sh, runs);
    PyMem_Free(sh);
    return Py_BuildValue("(KK)", (unsigned long long)simhash,
                         (unsigned long long)sketch);
}

/* ---- cleaning: block forms, word counts, keys (cleaning/) --------------- */

/* str.isalnum() of one character (re's \w without "_"). */
static inline int
is_alnum(Py_UCS4 ch)
{
    if (ch < 128) {
        return (ch >= '0' && ch <= '9') || ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z');
    }
    return Py_UNICODE_ISALNUM(ch);
}

/* The runs of alphanumeric characters of text.casefold() joined by single
 * spaces (*alnum), and the runs of those that are not decimal digits (*words):
 * _fast_sub(text, _ALNUM, _NON_ALNUM) and _fast_sub(text, _LETTERS, _NON_WORD)
 * of cleaning/_repeats.py. Either output may be NULL (not wanted). */
static int
word_forms(PyObject *text, PyObject **alnum, PyObject **words)
{
    if (!PyUnicode_Check(text)) {
        PyErr_Format(PyExc_TypeError, "text must be str, got %.100s",
                     Py_TYPE(text)->tp_name);
        return -1;
    }
    PyObject *folded;
    int ascii = PyUnicode_IS_ASCII(text);
    if (ascii) {
        folded = text; /* casefold of ASCII is lower(): done per character */
        Py_INCREF(folded);
    }
    else {
        folded = PyObject_CallMethod(text, "casefold", NULL);
        if (folded == NULL) {
            return -1;
        }
    }
    Py_ssize_t n = PyUnicode_GET_LENGTH(folded);
    int kind = PyUnicode_KIND(folded);
    const void *data = PyUnicode_DATA(folded);
    /* outputs hold characters of `folded` and spaces: its kind fits them */
    char *abuf = alnum ? PyMem_Malloc((size_t)(n ? n : 1) * (size_t)kind) : NULL;
    char *wbuf = words ? PyMem_Malloc((size_t)(n ? n : 1) * (size_t)kind) : NULL;
    if ((alnum && abuf == NULL) || (words && wbuf == NULL)) {
        PyMem_Free(abuf);
        PyMem_Free(wbuf);
        Py_DECREF(folded);
        PyErr_NoMemory();
        return -1;
    }
    Py_ssize_t alen = 0, wlen = 0;
    int asep = 0, wsep = 0; /* a separator is pending (some run was written) */
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 ch = PyUnicode_READ(kind, data, i);
        if (ascii && ch >= 'A' && ch <= 'Z') {
            ch |= 0x20;
        }
        if (!is_alnum(ch)) {
            asep = alen > 0;
            wsep = wlen > 0;
            continue;
        }
        if (abuf) {
            if (asep) {
                PyUnicode_WRITE(kind, abuf, alen++, ' ');
                asep = 0;
            }
            PyUnicode_WRITE(kind, abuf, alen++, ch);
        }
        if (wbuf) {
            if (Py_UNICODE_ISDECIMAL(ch)) {
                wsep = wlen > 0;
            }
            else {
                if (wsep) {
                    PyUnicode_WRITE(kind, wbuf, wlen++, ' ');
                    wsep = 0;
                }
                PyUnicode_WRITE(kind, wbuf, wlen++, ch);
            }
        }
    }
    Py_DECREF(folded);
    int failed = 0;
    if (alnum) {
        *alnum = PyUnicode_FromKindAndData(kind, abuf, alen);
        failed |= *alnum == NULL;
    }
    if (words) {
        *words = PyUnicode_FromKindAndData(kind, wbuf, wlen);
        failed |= *words == NULL;
    }
    PyMem_Free(abuf);
    PyMem_Free(wbuf);
    if (failed) {
        if (alnum) {
            Py_CLEAR(*alnum);
        }
        if (words) {
            Py_CLEAR(*words);
        }
        return -1;
    }
    return 0;
}

static PyObject *
speedups_forms(PyObject *module, PyObject *text)
{
    PyObject *alnum, *words;
    if (word_forms(text, &alnum, &words) < 0) {
        return NULL;
    }
    PyObject *result = PyTuple_Pack(2, alnum, words);
    Py_DECREF(alnum);
    Py_DECREF(words);
    return result;
}

static PyObject *
speedups_alnum_form(PyObject *module, PyObject *text)
{
    PyObject *alnum;
    return word_forms(text, &alnum, NULL) < 0 ? NULL : alnum;
}

static PyObject *
speedups_normal_form(PyObject *module, PyObject *text)
{
    PyObject *words;
    return word_forms(text, NULL, &words) < 0 ? NULL : words;
}

/* The characters cleaning/_blocks.py's _CJK_CHAR matches. */
static inline int
is_cjk_char(Py_UCS4 ch)
{
    return (ch >= 0x3040 && ch <= 0x30FF) || (ch >= 0x3400 && ch <= 0x9FFF) ||
           (ch >= 0xAC00 && ch <= 0xD7AF);
}

/* len(text.split()) + (CJK characters // 3): cleaning/_blocks.py _words. */
static PyObject *
speedups_word_count(PyObject *module, PyObject *text)
{
    if (!PyUnicode_Check(text)) {
        PyErr_Format(PyExc_TypeError, "text must be str, got %.100s",
                     Py_TYPE(text)->tp_name);
        return NULL;
    }
    Py_ssize_t n = PyUnicode_GET_LENGTH(text), words = 0, cjk = 0;
    int kind = PyUnicode_KIND(text), inword = 0;
    const void *data = PyUnicode_DATA(text);
    if (PyUnicode_IS_ASCII(text)) {
        const Py_UCS1 *p = data;
        for (Py_ssize_t i = 0; i < n; i++) {
            /* str.split()'s ASCII whitespace: \t\n\v\f\r, \x1c-\x1f, space */
            Py_UCS1 ch = p[i];
            int space = ch == ' ' || (ch >= 0x09 && ch <= 0x0D) ||
                        (ch >= 0x1C && ch <= 0x1F);
            words += !space && !inword;
            inword = !space;
        }
    }
    else {
        for (Py_ssize_t i = 0; i < n; i++) {
            Py_UCS4 ch = PyUnicode_READ(kind, data, i);
            int space = Py_UNICODE_ISSPACE(ch);
            words += !space && !inword;
            inword = !space;
            cjk += is_cjk_char(ch);
        }
    }
    return PyLong_FromSsize_t(words + cjk / 3);
}

/* "".join(text.split()): cleaning/_page_evidence.py block_key. The result is
 * built at the kind of its widest character, as str.join builds it (str
 * equality compares kinds). */
static PyObject *
speedups_block_key(PyObject *module, PyObject *text)
{
    if (!PyUnicode_Check(text)) {
        PyErr_Format(PyExc_TypeError, "text must be str, got %.100s",
                     Py_TYPE(text)->tp_name);
        return NULL;
    }
    Py_ssize_t n = PyUnicode_GET_LENGTH(text), kept = 0;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_UCS4 maxchar = 0;
    if (PyUnicode_IS_ASCII(text)) {
        const Py_UCS1 *p = data;
        for (Py_ssize_t i = 0; i < n; i++) {
            /* str.split()'s ASCII whitespace: \t\n\v\f\r, \x1c-\x1f, space */
            Py_UCS1 ch = p[i];
            kept += !(ch == ' ' || (ch >= 0x09 && ch <= 0x0D) ||
                      (ch >= 0x1C && ch <= 0x1F));
        }
        maxchar = 0x7F;
    }
    else {
        for (Py_ssize_t i = 0; i < n; i++) {
            Py_UCS4 ch = PyUnicode_READ(kind, data, i);
            if (!Py_UNICODE_ISSPACE(ch)) {
                kept++;
                maxchar = ch > maxchar ? ch : maxchar;
            }
        }
    }
    if (kept == n && PyUnicode_CheckExact(text)) {
        Py_INCREF(text); /* no whitespace: "".join([text]) is text itself */
        return text;
    }
    PyObject *key = PyUnicode_New(kept, maxchar);
    if (key == NULL) {
        return NULL;
    }
    int out_kind = PyUnicode_KIND(key);
    void *out = PyUnicode_DATA(key);
    Py_ssize_t j = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 ch = PyUnicode_READ(kind, data, i);
        if (!Py_UNICODE_ISSPACE(ch)) {
            PyUnicode_WRITE(out_kind, out, j++, ch);
        }
    }
    return key;
}

/* any(word in text for word in words): cleaning/_signatures.py hint words. */
static PyObject *
speedups_any_in(PyObject *module, PyObject *args)
{
    PyObject *text, *words;
    if (!PyArg_ParseTuple(args, "UO:any_in", &text, &words)) {
        return NULL;
    }
    PyObject *seq = PySequence_Fast(words, "words must be a sequence");
    if (seq == NULL) {
        return NULL;
    }
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    int found = 0;
    for (Py_ssize_t i = 0; i < n && !found; i++) {
        found = PyUnicode_Contains(text, PySequence_Fast_GET_ITEM(seq, i));
    }
    Py_DECREF(seq);
    return found < 0 ? NULL : PyBool_FromLong(found);
}

/* for tok in tokens: if df[tok] > 1: postings.setdefault(tok, []).append(i)
 * (cleaning/_repeats.py _Index._post; tokens in their iteration order). */
static PyObject *
speedups_post(PyObject *module, PyObject *args)
{
    PyObject *tokens, *index, *df, *postings;
    if (!PyArg_ParseTuple(args, "OOOO!:post", &tokens, &index, &df,
                          &PyDict_Type, &postings)) {
        return NULL;
    }
    PyObject *iterator = PyObject_GetIter(tokens);
    if (iterator == NULL) {
        return NULL;
    }
    PyObject *one = PyLong_FromLong(1), *tok;
    if (one == NULL) {
        Py_DECREF(iterator);
        return NULL;
    }
    while ((tok = PyIter_Next(iterator)) != NULL) {
        PyObject *count = PyObject_GetItem(df, tok); /* Counter: 0 if missing */
        int many = count == NULL ? -1 : PyObject_RichCompareBool(count, one, Py_GT);
        Py_XDECREF(count);
        if (many > 0) {
            PyObject *list = PyDict_GetItemWithError(postings, tok);
            if (list == NULL && !PyErr_Occurred()) {
                list = PyList_New(0);
                if (list != NULL) {
                    many = PyDict_SetItem(postings, tok, list) < 0 ? -1 : 1;
                    Py_DECREF(list); /* the dict holds it */
                }
            }
            if (list == NULL || many < 0 || PyList_Append(list, index) < 0) {
                many = -1;
            }
        }
        Py_DECREF(tok);
        if (many < 0) {
            break;
        }
    }
    Py_DECREF(iterator);
    Py_DECREF(one);
    if (PyErr_Occurred()) {
        return NULL;
    }
    Py_RETURN_NONE;
}

/* ---- site templates (cleaning/_site_templates.py) ------------------------ */

/* The characters of _PROSE_END: sentence ends, and the closing marks that may
 * follow one. */
static inline int
is_prose_stop(Py_UCS4 ch)
{
    return ch == '.' || ch == '!' || ch == '?' || ch == 0x3002 || ch == 0xFF01 ||
           ch == 0xFF1F;
}

static inline int
is_prose_close(Py_UCS4 ch)
{
    return ch == '\'' || ch == '"' || ch == 0x2019 || ch == 0x201D || ch == ')';
}

/* eligible(block) for the non-blank block whose stripped text is
 * text[start:end]: shorter than DEFAULT_MAX_CHARS, and not ending like prose
 * or under 15 words. */
static int
template_eligible(int kind, const void *data, Py_ssize_t start, Py_ssize_t end)
{
    Py_ssize_t n = end - start;
    if (n >= TEMPLATE_MAX_CHARS) {
        return 0;
    }
    Py_UCS4 last = PyUnicode_READ(kind, data, end - 1);
    int prose = is_prose_stop(last) ||
                (n >= 2 && is_prose_close(last) &&
                 is_prose_stop(PyUnicode_READ(kind, data, end - 2)));
    if (!prose) {
        return 1;
    }
    Py_ssize_t words = 0;
    int inword = 0;
    for (Py_ssize_t i = start; i < end && words < 15; i++) {
        int space = Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, i));
        words += !space && !inword;
        inword = !space;
    }
    return words < 15;
}

/* (block_key(block), short_key(block), normalize(block)) as a 3-tuple: the
 * short key is the alphanumeric form or, for a block of symbols only, its
 * casefolded words; the key is blake2b-8 (big-endian) of its UTF-8. */
static PyObject *
template_block_forms(PyObject *block)
{
    PyObject *key, *norm;
    if (word_forms(block, &key, &norm) < 0) {
        return NULL;
    }
    if (PyUnicode_GET_LENGTH(key) == 0) {
        Py_DECREF(key);
        key = NULL;
        PyObject *folded = PyObject_CallMethod(block, "casefold", NULL);
        PyObject *words = folded == NULL ? NULL : PyUnicode_Split(folded, NULL, -1);
        Py_XDECREF(folded);
        PyObject *space = words == NULL ? NULL : PyUnicode_FromString(" ");
        key = space == NULL ? NULL : PyUnicode_Join(space, words);
        Py_XDECREF(space);
        Py_XDECREF(words);
        if (key == NULL) {
            Py_DECREF(norm);
            return NULL;
        }
    }
    Py_ssize_t size;
    const char *utf8 = PyUnicode_AsUTF8AndSize(key, &size); /* strict, as encode() */
    if (utf8 == NULL) {
        Py_DECREF(key);
        Py_DECREF(norm);
        return NULL;
    }
    uint8_t digest[8];
    blake2b_8((const uint8_t *)utf8, size, digest);
    PyObject *number = PyLong_FromUnsignedLongLong((unsigned long long)load64_be(digest));
    if (number == NULL) {
        Py_DECREF(key);
        Py_DECREF(norm);
        return NULL;
    }
    return Py_BuildValue("(NNN)", number, key, norm);
}

/* [None if not b.strip() else ((block_key(b), *short_forms(b)), eligible(b))
 * for b in blocks]: cleaning/_site_templates.py learnable_keys. */
static PyObject *
speedups_learnable_keys(PyObject *module, PyObject *blocks)
{
    PyObject *seq = PySequence_Fast(blocks, "blocks must be a sequence");
    if (seq == NULL) {
        return NULL;
    }
    Py_ssize_t count = PySequence_Fast_GET_SIZE(seq);
    PyObject *out = PyList_New(count);
    for (Py_ssize_t b = 0; out != NULL && b < count; b++) {
        PyObject *block = PySequence_Fast_GET_ITEM(seq, b);
        if (!PyUnicode_Check(block)) {
            PyErr_Format(PyExc_TypeError, "blocks must be str, got %.100s",
                         Py_TYPE(block)->tp_name);
            Py_CLEAR(out);
            break;
        }
        int kind = PyUnicode_KIND(block);
        const void *data = PyUnicode_DATA(block);
        Py_ssize_t start = 0, end = PyUnicode_GET_LENGTH(block);
        while (start < end && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, start))) {
            start++;
        }
        while (end > start && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, end - 1))) {
            end--;
        }
        PyObject *item;
        if (start == end) {
            item = Py_None;
            Py_INCREF(item);
        }
        else {
            PyObject *forms = template_block_forms(block);
            item = forms == NULL
                       ? NULL
                       : Py_BuildValue("(NO)", forms,
                                       template_eligible(kind, data, start, end)
                                           ? Py_True
                                           : Py_False);
        }
        if (item == NULL) {
            Py_CLEAR(out);
            break;
        }
        PyList_SET_ITEM(out, b, item);
    }
    Py_DECREF(seq);
    return out;
}

/* ---- module -------------------------------------------------------------- */

static PyMethodDef speedups_methods[] = {
    {"digests", speedups_digests, METH_O,
     "Feature digests of a sequence of str (neardup._features._digests_of)."},
    {"shingle_hashes", speedups_shingle_hashes, METH_O,
     "Shingle hashes of concatenated digests (neardup.shingle_hashes)."},
    {"fold", speedups_fold, METH_VARARGS,
     "Simhash of concatenated 8-byte digests (neardup.fold)."},
    {"min_hash_sketch", speedups_min_hash_sketch, METH_O,
     "Packed min-hash sketch of shingle hashes (neardup.min_hash_sketch)."},
    {"simhash_sketch", speedups_simhash_sketch, METH_O,
     "(simhash, sketch) of a feature blob (neardup._fingerprint)."},
    {"forms", speedups_forms, METH_O,
     "(alnum form, normal form) of a block (cleaning._repeats._forms)."},
    {"alnum_form", speedups_alnum_form, METH_O,
     "Alphanumeric form of a block (cleaning._repeats._alnum_form)."},
    {"normal_form", speedups_normal_form, METH_O,
     "Normal form of a block (cleaning._repeats.normalize)."},
    {"word_count", speedups_word_count, METH_O,
     "Word count, CJK characters a third each (cleaning._blocks._words)."},
    {"block_key", speedups_block_key, METH_O,
     "A block's text without any whitespace (cleaning._page_evidence.block_key)."},
    {"any_in", speedups_any_in, METH_VARARGS,
     "Whether any of a sequence of str occurs in a str."},
    {"learnable_keys", speedups_learnable_keys, METH_O,
     "[None or ((block_key(b), *short_forms(b)), eligible(b)) for b in blocks]"},
    {"post", speedups_post, METH_VARARGS,
     "Post one block's tokens (cleaning._repeats._Index._post)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef speedups_module = {
    PyModuleDef_HEAD_INIT,
    "scrapy_newsclean._speedups",
    "Compiled kernels of the hot loops; scrapy_newsclean._accel chooses them.",
    0,
    speedups_methods,
    NULL,
    NULL,
    NULL,
    NULL,
};

PyMODINIT_FUNC
PyInit__speedups(void)
{
    PyObject *module = PyModule_Create(&speedups_module);
    if (module == NULL) {
        return NULL;
    }
    if (PyModule_AddObject(module, "SBOX1",
                           PyBytes_FromStringAndSize((const char *)SBOX1, 256)) < 0 ||
        PyModule_AddObject(module, "SBOX2",
                           PyBytes_FromStringAndSize((const char *)SBOX2, 256)) < 0) {
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
