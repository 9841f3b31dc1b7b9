/* Compiled kernels of scrapy_newsclean's hot loops (see scrapy_newsclean/_accel.py).
 *
 * Every function here returns exactly what its pure Python reference returns
 * (tests/test_accel.py compares them on generated and real inputs); the pure
 * modules document the algorithms:
 *
 *   digests(features)        neardup/_features.py  _digests_of
 *   feature_blob(text, ngram, normalize)  neardup/_features.py  _pure_feature_blob
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
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC unroll 12
#endif
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

/* blake2b-8 of str(text).encode("utf-8", "surrogatepass") into out[0..7]
 * (a lone surrogate hashes, never raises); -1 with an exception set on error. */
static int
str_blake2b_8(PyObject *text, uint8_t out[8])
{
    if (PyUnicode_IS_ASCII(text)) {
        blake2b_8(PyUnicode_1BYTE_DATA(text), PyUnicode_GET_LENGTH(text), out);
        return 0;
    }
    PyObject *encoded = PyUnicode_AsEncodedString(text, "utf-8", "surrogatepass");
    if (encoded == NULL) {
        return -1;
    }
    blake2b_8((const uint8_t *)PyBytes_AS_STRING(encoded), PyBytes_GET_SIZE(encoded),
              out);
    Py_DECREF(encoded);
    return 0;
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
    if (str_blake2b_8(feature, out) < 0) {
        return -1;
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

/* ---- feature blobs and their token memo (neardup/_features.py) ---------- */

/* feature_blob(text, ngram, normalize) is neardup/_features.py's
 * _pure_feature_blob in one call: the text is split on whitespace, and each
 * token's concatenated feature digests come from a memo keyed by the raw
 * token or are computed: normalised here when that is known without NFKC
 * (ASCII, and the FOLD_RANGES below), the others after one call of
 * `normalize` on them all joined by newlines, as _token_blobs does; then
 * stripped, split into n-grams and hashed here. The memo holds no Python object:
 * keys (UTF-8, lone surrogates as surrogatepass writes them) and blobs live in
 * one arena; it is cleared when it holds FEATURE_MEMO_LIMIT tokens (or
 * FEATURE_MEMO_BYTES bytes), like _features._DIGESTS. No Python code runs
 * between a lookup and the copy of its blob, so threads may share it. */

#define FEATURE_MEMO_LIMIT (1 << 17)  /* _features._CACHE_LIMIT */
#define FEATURE_MEMO_CHARS 64         /* _features._MEMO_CHARS */
#define FEATURE_MEMO_BYTES ((size_t)32 << 20)
#define FEATURE_KEY_MAX (4 * FEATURE_MEMO_CHARS)
#define FEATURE_NGRAM_MAX 255

/* _features._STRIP, in its order (tests/test_accel_features.py compares). */
static const Py_UCS4 STRIP_CHARS[] = {
    '!', '"', '#', '$', '%', '&', '\'', '(', ')', '*', '+', ',', '-', '.', '/',
    ':', ';', '<', '=', '>', '?', '@', '[', '\\', ']', '^', '_', '`', '{', '|',
    '}', '~',
    0x00A1, 0x00A7, 0x00A9, 0x00AB, 0x00AE, 0x00B0, 0x00B6, 0x00B7, 0x00BB, 0x00BF,
    0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2018, 0x2019, 0x201A, 0x201C,
    0x201D, 0x201E,
    0x2020, 0x2022, 0x2026, 0x2032, 0x2033, 0x2039, 0x203A, 0x2122, 0x20AC,
    0x3001, 0x3002, 0x300C, 0x300D, 0x300E, 0x300F, 0x3010, 0x3011, 0x3008, 0x3009,
    0x300A, 0x300B,
};
#define STRIP_COUNT (sizeof STRIP_CHARS / sizeof STRIP_CHARS[0])

/* _features._NOSPACE: scripts written without spaces (character n-grams). */
static const Py_UCS4 NOSPACE_RANGES[][2] = {
    {0x0E00, 0x0EFF}, {0x1000, 0x109F}, {0x1780, 0x17FF},
    {0x3040, 0x30FF}, {0x31F0, 0x31FF}, {0x3400, 0x4DBF},
    {0x4E00, 0x9FFF}, {0xF900, 0xFAFF}, {0x20000, 0x2FA1F},
};
#define NOSPACE_COUNT (sizeof NOSPACE_RANGES / sizeof NOSPACE_RANGES[0])

static inline int
is_strip_char(Py_UCS4 ch)
{
    if (ch < 128) {
        return ch > 32 && ch < 127 && !((ch >= '0' && ch <= '9') ||
                                         ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z'));
    }
    for (size_t i = 32; i < STRIP_COUNT; i++) { /* past the 32 ASCII ones */
        if (STRIP_CHARS[i] == ch) {
            return 1;
        }
    }
    return 0;
}

static inline int
is_nospace_char(Py_UCS4 ch)
{
    if (ch < 0x0E00) {
        return 0;
    }
    for (size_t i = 0; i < NOSPACE_COUNT; i++) {
        if (ch >= NOSPACE_RANGES[i][0] && ch <= NOSPACE_RANGES[i][1]) {
            return 1;
        }
    }
    return 0;
}

/* A growing PyMem buffer; -1 with MemoryError set when it cannot grow. */
typedef struct {
    uint8_t *data;
    Py_ssize_t len, cap;
} FeatureBuf;

static int
feature_buf_reserve(FeatureBuf *b, Py_ssize_t more)
{
    if (b->len + more <= b->cap) {
        return 0;
    }
    Py_ssize_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + more) {
        cap *= 2;
    }
    uint8_t *data = PyMem_Realloc(b->data, (size_t)cap);
    if (data == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    b->data = data;
    b->cap = cap;
    return 0;
}

/* Code points [start, end) as UTF-8 (surrogates as surrogatepass writes
 * them) at out, which has room for 4 bytes a code point; returns the size. */
static Py_ssize_t
feature_utf8_into(int kind, const void *data, Py_ssize_t start, Py_ssize_t end,
                  uint8_t *out)
{
    uint8_t *p = out;
    for (Py_ssize_t i = start; i < end; i++) {
        Py_UCS4 ch = PyUnicode_READ(kind, data, i);
        if (ch < 0x80) {
            *p++ = (uint8_t)ch;
        }
        else if (ch < 0x800) {
            *p++ = (uint8_t)(0xC0 | (ch >> 6));
            *p++ = (uint8_t)(0x80 | (ch & 0x3F));
        }
        else if (ch < 0x10000) {
            *p++ = (uint8_t)(0xE0 | (ch >> 12));
            *p++ = (uint8_t)(0x80 | ((ch >> 6) & 0x3F));
            *p++ = (uint8_t)(0x80 | (ch & 0x3F));
        }
        else {
            *p++ = (uint8_t)(0xF0 | (ch >> 18));
            *p++ = (uint8_t)(0x80 | ((ch >> 12) & 0x3F));
            *p++ = (uint8_t)(0x80 | ((ch >> 6) & 0x3F));
            *p++ = (uint8_t)(0x80 | (ch & 0x3F));
        }
    }
    return p - out;
}

/* SipHash-1-3 (as CPython's str hash), keyed once per process from the
 * process's hash secret: token collisions cannot be chosen by a page. */
#define MEMO_SIP_ROTL(x, b) (((x) << (b)) | ((x) >> (64 - (b))))
#define MEMO_SIP_HALF_ROUND(a, b, c, d, s, t) \
    a += b;                              \
    c += d;                              \
    b = MEMO_SIP_ROTL(b, s) ^ a;              \
    d = MEMO_SIP_ROTL(d, t) ^ c;              \
    a = MEMO_SIP_ROTL(a, 32);
#define MEMO_SIP_ROUND(v0, v1, v2, v3)                \
    MEMO_SIP_HALF_ROUND(v0, v1, v2, v3, 13, 16);      \
    MEMO_SIP_HALF_ROUND(v2, v1, v0, v3, 17, 21);

static uint64_t
memo_siphash13(uint64_t k0, uint64_t k1, const uint8_t *in, Py_ssize_t size)
{
    uint64_t b = (uint64_t)size << 56;
    uint64_t v0 = k0 ^ 0x736f6d6570736575ULL, v1 = k1 ^ 0x646f72616e646f6dULL;
    uint64_t v2 = k0 ^ 0x6c7967656e657261ULL, v3 = k1 ^ 0x7465646279746573ULL;
    for (; size >= 8; in += 8, size -= 8) {
        uint64_t m = load64_le(in);
        v3 ^= m;
        MEMO_SIP_ROUND(v0, v1, v2, v3);
        v0 ^= m;
    }
    for (Py_ssize_t i = 0; i < size; i++) {
        b |= (uint64_t)in[i] << (8 * i);
    }
    v3 ^= b;
    MEMO_SIP_ROUND(v0, v1, v2, v3);
    v0 ^= b;
    v2 ^= 0xff;
    MEMO_SIP_ROUND(v0, v1, v2, v3);
    MEMO_SIP_ROUND(v0, v1, v2, v3);
    MEMO_SIP_ROUND(v0, v1, v2, v3);
    return (v0 ^ v1) ^ (v2 ^ v3);
}

/* One slot of the memo's open-addressing table (key_len 0: free). */
typedef struct {
    uint64_t hash;
    uint32_t offset;   /* of the key in the arena; the blob follows it */
    uint32_t blob_len; /* bytes */
    uint16_t key_len;  /* bytes */
    uint16_t ngram;
} MemoEntry;

static struct {
    MemoEntry *slots; /* at most half of them used */
    size_t mask;      /* number of slots - 1 (a power of two) */
    uint32_t count;
    uint8_t *arena;
    size_t arena_len, arena_cap;
    uint64_t k0, k1;
    int keyed;
} feature_memo;

/* Empties the memo and frees its memory. */
static void
feature_memo_reset(void)
{
    PyMem_RawFree(feature_memo.slots);
    PyMem_RawFree(feature_memo.arena);
    feature_memo.slots = NULL;
    feature_memo.mask = 0;
    feature_memo.count = 0;
    feature_memo.arena = NULL;
    feature_memo.arena_len = feature_memo.arena_cap = 0;
}

typedef struct {
    uint8_t bytes[FEATURE_KEY_MAX];
    Py_ssize_t len;
    uint64_t hash;
    Py_ssize_t ngram;
} MemoKey;

static void
memo_key(MemoKey *key, int kind, const void *data, Py_ssize_t start,
         Py_ssize_t end, Py_ssize_t ngram)
{
    key->len = feature_utf8_into(kind, data, start, end, key->bytes);
    key->ngram = ngram;
    key->hash = memo_siphash13(feature_memo.k0, feature_memo.k1, key->bytes, key->len) ^
                (uint64_t)ngram;
}

static inline int
memo_same_bytes(const uint8_t *a, const uint8_t *b, Py_ssize_t n)
{
    for (; n >= 8; a += 8, b += 8, n -= 8) {
        if (load64_le(a) != load64_le(b)) {
            return 0;
        }
    }
    for (; n > 0; n--) {
        if (*a++ != *b++) {
            return 0;
        }
    }
    return 1;
}

/* The slot of key, or of the free slot where it would go. */
static inline MemoEntry *
memo_slot(const MemoKey *key)
{
    size_t i = (size_t)key->hash & feature_memo.mask;
    for (;;) {
        MemoEntry *e = &feature_memo.slots[i];
        if (e->key_len == 0 ||
            (e->hash == key->hash && e->key_len == key->len && e->ngram == key->ngram &&
             memo_same_bytes(feature_memo.arena + e->offset, key->bytes, key->len))) {
            return e;
        }
        i = (i + 1) & feature_memo.mask;
    }
}

static inline const MemoEntry *
memo_find(const MemoKey *key)
{
    if (feature_memo.slots == NULL) {
        return NULL;
    }
    const MemoEntry *e = memo_slot(key);
    return e->key_len ? e : NULL;
}

/* Room for one more entry and `need` arena bytes; 0 if there is no memory. */
static int
memo_grow(size_t need)
{
    if (2 * ((size_t)feature_memo.count + 1) > feature_memo.mask) {
        size_t size = feature_memo.slots ? 2 * (feature_memo.mask + 1) : 1024;
        MemoEntry *slots = PyMem_RawCalloc(size, sizeof(MemoEntry));
        if (slots == NULL) {
            return 0;
        }
        for (size_t n = 0; feature_memo.slots != NULL && n <= feature_memo.mask; n++) {
            const MemoEntry *e = &feature_memo.slots[n];
            if (e->key_len) {
                size_t i = (size_t)e->hash & (size - 1);
                while (slots[i].key_len) {
                    i = (i + 1) & (size - 1);
                }
                slots[i] = *e;
            }
        }
        PyMem_RawFree(feature_memo.slots);
        feature_memo.slots = slots;
        feature_memo.mask = size - 1;
    }
    if (feature_memo.arena_len + need > feature_memo.arena_cap) {
        size_t cap = feature_memo.arena_cap ? feature_memo.arena_cap : (size_t)1 << 16;
        while (cap < feature_memo.arena_len + need) {
            cap *= 2;
        }
        uint8_t *arena = PyMem_RawRealloc(feature_memo.arena, cap);
        if (arena == NULL) {
            return 0;
        }
        feature_memo.arena = arena;
        feature_memo.arena_cap = cap;
    }
    return 1;
}

/* Keeps blob as the value of key (unless already kept). Without memory for
 * it, nothing is kept: the memo only saves time. */
static void
memo_add(const MemoKey *key, const uint8_t *blob, Py_ssize_t blob_len)
{
    size_t need = (size_t)key->len + (size_t)blob_len;
    if (need > FEATURE_MEMO_BYTES || memo_find(key) != NULL) {
        return;
    }
    if (feature_memo.count >= FEATURE_MEMO_LIMIT ||
        feature_memo.arena_len + need > FEATURE_MEMO_BYTES) {
        feature_memo_reset();
    }
    if (!memo_grow(need)) {
        return;
    }
    MemoEntry *e = memo_slot(key);
    e->hash = key->hash;
    e->offset = (uint32_t)feature_memo.arena_len;
    e->blob_len = (uint32_t)blob_len;
    e->key_len = (uint16_t)key->len;
    e->ngram = (uint16_t)key->ngram;
    memcpy(feature_memo.arena + feature_memo.arena_len, key->bytes, (size_t)key->len);
    memcpy(feature_memo.arena + feature_memo.arena_len + key->len, blob,
           (size_t)blob_len);
    feature_memo.arena_len += need;
    feature_memo.count++;
}

/* Appends feature_digest(text[start:end]) to out (scratch: its UTF-8). */
static int
append_digest(FeatureBuf *out, FeatureBuf *scratch, int kind, const void *data,
              Py_ssize_t start, Py_ssize_t end)
{
    scratch->len = 0;
    if (feature_buf_reserve(scratch, 4 * (end - start)) < 0 ||
        feature_buf_reserve(out, 8) < 0) {
        return -1;
    }
    int alpha = 1, digit = 0;
    for (Py_ssize_t i = start; i < end; i++) {
        Py_UCS4 ch = PyUnicode_READ(kind, data, i);
        int letter = ch < 128 ? (ch | 0x20) >= 'a' && (ch | 0x20) <= 'z'
                              : Py_UNICODE_ISALPHA(ch);
        if (!letter) {
            alpha = 0;
            digit |= ch < 128 ? ch >= '0' && ch <= '9' : Py_UNICODE_ISDECIMAL(ch);
        }
    }
    Py_ssize_t size = feature_utf8_into(kind, data, start, end, scratch->data);
    uint8_t *digest = out->data + out->len;
    blake2b_8(scratch->data, size, digest);
    digest[7] = (uint8_t)((digest[7] & 0xFE) | (!alpha && digit));
    out->len += 8;
    return 0;
}

/* text[start:end].strip(_STRIP), if not empty, as one feature. */
static int
append_stripped(FeatureBuf *out, FeatureBuf *scratch, int kind, const void *data,
                Py_ssize_t start, Py_ssize_t end)
{
    while (start < end && is_strip_char(PyUnicode_READ(kind, data, start))) {
        start++;
    }
    while (end > start && is_strip_char(PyUnicode_READ(kind, data, end - 1))) {
        end--;
    }
    return start < end ? append_digest(out, scratch, kind, data, start, end) : 0;
}

/* append_digest for a character n-gram of a no-space script, memoised too
 * (under ngram 0): a text of such a script is mostly tokens too long for the
 * token memo, each of them a run of n-grams. */
static int
append_gram_digest(FeatureBuf *out, FeatureBuf *scratch, int kind, const void *data,
                   Py_ssize_t start, Py_ssize_t end)
{
    if (end - start > FEATURE_MEMO_CHARS) {
        return append_digest(out, scratch, kind, data, start, end);
    }
    MemoKey key;
    memo_key(&key, kind, data, start, end, 0);
    const MemoEntry *e = memo_find(&key);
    if (e != NULL) {
        if (feature_buf_reserve(out, 8) < 0) {
            return -1;
        }
        memcpy(out->data + out->len, feature_memo.arena + e->offset + e->key_len, 8);
        out->len += 8;
        return 0;
    }
    if (append_digest(out, scratch, kind, data, start, end) < 0) {
        return -1;
    }
    memo_add(&key, out->data + out->len - 8, 8);
    return 0;
}

/* _token_features(text[start:end], ngram): a whitespace-free part. */
static int
append_token_features(FeatureBuf *out, FeatureBuf *scratch, int kind, const void *data,
                      Py_ssize_t start, Py_ssize_t end, Py_ssize_t ngram)
{
    Py_ssize_t i = start;
    while (i < end) {
        Py_ssize_t run = i, stop;
        while (run < end && !is_nospace_char(PyUnicode_READ(kind, data, run))) {
            run++;
        }
        if (append_stripped(out, scratch, kind, data, i, run) < 0) {
            return -1;
        }
        stop = run;
        while (stop < end && is_nospace_char(PyUnicode_READ(kind, data, stop))) {
            stop++;
        }
        if (stop - run > 0 && stop - run <= ngram) {
            if (append_gram_digest(out, scratch, kind, data, run, stop) < 0) {
                return -1;
            }
        }
        else {
            for (Py_ssize_t j = run; j + ngram <= stop; j++) {
                if (append_gram_digest(out, scratch, kind, data, j, j + ngram) < 0) {
                    return -1;
                }
            }
        }
        i = stop;
    }
    return 0;
}

/* The blob of one normalised piece (a raw token once normalised): one
 * stripped feature, or, when it holds a space or a no-space script, the
 * features of each of its whitespace-separated parts (_token_blobs). */
static int
append_piece_features(FeatureBuf *out, FeatureBuf *scratch, int kind, const void *data,
                      Py_ssize_t start, Py_ssize_t end, Py_ssize_t ngram)
{
    int several = 0;
    for (Py_ssize_t i = start; i < end && !several; i++) {
        Py_UCS4 ch = PyUnicode_READ(kind, data, i);
        several = ch == ' ' || is_nospace_char(ch);
    }
    if (!several) {
        return append_stripped(out, scratch, kind, data, start, end);
    }
    Py_ssize_t i = start;
    while (i < end) {
        while (i < end && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, i))) {
            i++;
        }
        Py_ssize_t part = i;
        while (i < end && !Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, i))) {
            i++;
        }
        if (i > part &&
            append_token_features(out, scratch, kind, data, part, i, ngram) < 0) {
            return -1;
        }
    }
    return 0;
}

static int
feature_memo_key_once(void)
{
    if (feature_memo.keyed) {
        return 0;
    }
    PyObject *seeds[2] = {PyBytes_FromString("newsclean feature memo k0"),
                          PyBytes_FromString("newsclean feature memo k1")};
    Py_hash_t k0 = seeds[0] == NULL ? -1 : PyObject_Hash(seeds[0]);
    Py_hash_t k1 = seeds[1] == NULL ? -1 : PyObject_Hash(seeds[1]);
    Py_XDECREF(seeds[0]);
    Py_XDECREF(seeds[1]);
    if (k0 == -1 || k1 == -1) {
        return -1;
    }
    feature_memo.k0 = (uint64_t)k0;
    feature_memo.k1 = (uint64_t)k1;
    feature_memo.keyed = 1;
    return 0;
}

/* A non-ASCII token that missed the memo: where its blob goes in the output,
 * and which of the distinct such tokens it is. */
typedef struct {
    Py_ssize_t at, index;
} PendingToken;

/* The blobs of the pending tokens (`tokens`, a list of distinct str): one call
 * of normalize on them joined by newlines; offsets[i]..offsets[i + 1] in
 * blobs is token i's blob. Each token short enough is memoised. */
static int
pending_blobs(PyObject *tokens, PyObject *normalize, Py_ssize_t ngram,
              FeatureBuf *blobs, Py_ssize_t *offsets, FeatureBuf *scratch)
{
    PyObject *newline = PyUnicode_FromOrdinal('\n');
    PyObject *joined = newline == NULL ? NULL : PyUnicode_Join(newline, tokens);
    PyObject *folded = joined == NULL ? NULL : PyObject_CallOneArg(normalize, joined);
    Py_XDECREF(joined);
    if (folded != NULL && !PyUnicode_Check(folded)) {
        PyErr_SetString(PyExc_TypeError, "normalize must return str");
        Py_CLEAR(folded);
    }
    PyObject *pieces = folded == NULL ? NULL : PyUnicode_Split(folded, newline, -1);
    Py_XDECREF(newline);
    Py_XDECREF(folded);
    if (pieces == NULL) {
        return -1;
    }
    Py_ssize_t count = PyList_GET_SIZE(tokens);
    if (PyList_GET_SIZE(pieces) != count) {
        PyErr_SetString(PyExc_ValueError, "normalisation changed the tokens' newlines");
        Py_DECREF(pieces);
        return -1;
    }
    /* No Python code runs from here on: the memo is ours. */
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *piece = PyList_GET_ITEM(pieces, i);
        offsets[i] = blobs->len;
        if (append_piece_features(blobs, scratch, PyUnicode_KIND(piece),
                                  PyUnicode_DATA(piece), 0,
                                  PyUnicode_GET_LENGTH(piece), ngram) < 0) {
            Py_DECREF(pieces);
            return -1;
        }
    }
    offsets[count] = blobs->len;
    Py_DECREF(pieces);
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *token = PyList_GET_ITEM(tokens, i);
        if (PyUnicode_GET_LENGTH(token) <= FEATURE_MEMO_CHARS) {
            MemoKey key;
            memo_key(&key, PyUnicode_KIND(token), PyUnicode_DATA(token), 0,
                     PyUnicode_GET_LENGTH(token), ngram);
            memo_add(&key, blobs->data + offsets[i], offsets[i + 1] - offsets[i]);
        }
    }
    return 0;
}

/* Characters normalised here rather than by `normalize`. In these blocks no
 * character of combining class 0 composes with the one before it, nor does
 * the first character of any one's NFKD (tests/test_accel_features.py checks
 * both), so NFKC maps a token character by character when each of them is
 * ASCII or a character c of these blocks, of combining class 0, whose NFKC is
 * characters of class 0, ASCII or of these blocks. normalize then folds the
 * token character by character: ASCII lowercased, c to NFKC(c).casefold(),
 * with U+2019 then made "'" and U+2013, U+2014, U+2026 spaces. Each
 * character's fold is computed once, by unicodedata and str.casefold; folds
 * of more than FOLD_MAX characters are left to `normalize`. */
static const Py_UCS4 FOLD_RANGES[][2] = {
    {0x0080, 0x024F}, /* Latin-1 Supplement, Latin Extended-A and -B */
    {0x0370, 0x04FF}, /* Greek, Cyrillic */
    {0x0590, 0x06FF}, /* Hebrew, Arabic */
    {0x0E00, 0x0E7F}, /* Thai */
    {0x2000, 0x21FF}, /* punctuation, currency, letterlike symbols, arrows */
    {0x3000, 0x30FF}, /* CJK symbols and punctuation, kana */
    {0x4E00, 0x9FFF}, /* CJK unified ideographs */
    {0xFF00, 0xFF9F}, /* fullwidth ASCII, halfwidth katakana (not Hangul) */
    {0xFFE0, 0xFFEF}, /* fullwidth and halfwidth signs */
};
#define FOLD_RANGE_COUNT (sizeof FOLD_RANGES / sizeof FOLD_RANGES[0])
#define FOLD_LIMIT 0x10000
#define FOLD_MAX 4
#define FOLD_UNKNOWN 0
#define FOLD_UNSAFE 0xFFFFFFFFu
#define FOLD_SEVERAL 0x80000000u /* | index in fold_several */

static inline int
in_fold_ranges(Py_UCS4 ch)
{
    for (size_t i = 0; i < FOLD_RANGE_COUNT; i++) {
        if (ch >= FOLD_RANGES[i][0] && ch <= FOLD_RANGES[i][1]) {
            return 1;
        }
    }
    return 0;
}

/* FOLD_UNKNOWN, FOLD_UNSAFE, the fold (one character) or FOLD_SEVERAL | i. */
static Py_UCS4 fold_table[FOLD_LIMIT];
static Py_UCS4 (*fold_several)[FOLD_MAX + 1]; /* length, then the characters */
static size_t fold_several_count, fold_several_cap;
static PyObject *unicodedata_normalize, *unicodedata_combining, *nfkc_form;

static int
fold_import(void)
{
    if (unicodedata_normalize != NULL) {
        return 0;
    }
    PyObject *module = PyImport_ImportModule("unicodedata");
    if (module == NULL) {
        return -1;
    }
    unicodedata_combining = PyObject_GetAttrString(module, "combining");
    unicodedata_normalize = PyObject_GetAttrString(module, "normalize");
    Py_DECREF(module);
    nfkc_form = PyUnicode_FromString("NFKC");
    if (unicodedata_normalize == NULL || unicodedata_combining == NULL ||
        nfkc_form == NULL) {
        Py_CLEAR(unicodedata_normalize);
        Py_CLEAR(unicodedata_combining);
        Py_CLEAR(nfkc_form);
        return -1;
    }
    return 0;
}

/* Whether each character of text is ASCII or of the blocks, of class 0:
 * 1 or 0, -1 on error. */
static int
fold_safe(PyObject *text)
{
    for (Py_ssize_t i = 0; i < PyUnicode_GET_LENGTH(text); i++) {
        Py_UCS4 ch = PyUnicode_READ_CHAR(text, i);
        if (ch < 0x80) {
            continue;
        }
        if (!in_fold_ranges(ch)) {
            return 0;
        }
        PyObject *one = PyUnicode_FromOrdinal((int)ch);
        PyObject *ccc =
            one == NULL ? NULL : PyObject_CallOneArg(unicodedata_combining, one);
        Py_XDECREF(one);
        long combining = ccc == NULL ? -1 : PyLong_AsLong(ccc);
        Py_XDECREF(ccc);
        if (combining != 0) {
            return combining == -1 && PyErr_Occurred() ? -1 : 0;
        }
    }
    return 1;
}

/* The fold of one non-ASCII character as fold_table holds it; 0 with an
 * exception set on error. */
static Py_UCS4
fold_compute(Py_UCS4 ch)
{
    if (!in_fold_ranges(ch)) {
        return FOLD_UNSAFE;
    }
    if (fold_import() < 0) {
        return 0;
    }
    PyObject *one = PyUnicode_FromOrdinal((int)ch);
    if (one == NULL) {
        return 0;
    }
    PyObject *args[2] = {nfkc_form, one};
    PyObject *nfkc = PyObject_Vectorcall(unicodedata_normalize, args, 2, NULL);
    int safe = nfkc == NULL ? -1 : fold_safe(one);
    if (safe > 0) {
        safe = fold_safe(nfkc);
    }
    PyObject *folded = safe > 0 ? PyObject_CallMethod(nfkc, "casefold", NULL) : NULL;
    Py_DECREF(one);
    Py_XDECREF(nfkc);
    if (safe < 0 || (safe > 0 && folded == NULL)) {
        return 0;
    }
    Py_ssize_t n = safe ? PyUnicode_GET_LENGTH(folded) : 0;
    Py_UCS4 chars[FOLD_MAX];
    for (Py_ssize_t i = 0; i < n && n <= FOLD_MAX; i++) {
        Py_UCS4 c = PyUnicode_READ_CHAR(folded, i);
        int separator = c == 0x2013 || c == 0x2014 || c == 0x2026;
        chars[i] = c == 0x2019 ? '\'' : separator ? ' ' : c;
    }
    Py_XDECREF(folded);
    if (n == 0 || n > FOLD_MAX) {
        return FOLD_UNSAFE;
    }
    if (n == 1) {
        return chars[0];
    }
    if (fold_several_count == fold_several_cap) {
        size_t cap = fold_several_cap ? 2 * fold_several_cap : 64;
        void *grown = PyMem_RawRealloc(fold_several, cap * sizeof *fold_several);
        if (grown == NULL) {
            return FOLD_UNSAFE; /* left to normalize */
        }
        fold_several = grown;
        fold_several_cap = cap;
    }
    fold_several[fold_several_count][0] = (Py_UCS4)n;
    memcpy(&fold_several[fold_several_count][1], chars, (size_t)n * sizeof(Py_UCS4));
    return FOLD_SEVERAL | (Py_UCS4)fold_several_count++;
}

/* normalize() of text[start:end] as UCS4 in out when it is known here: 0,
 * or 1 when a character needs `normalize`, -1 on error. */
static int
fold_token(FeatureBuf *out, int kind, const void *data, Py_ssize_t start,
           Py_ssize_t end)
{
    out->len = 0;
    if (feature_buf_reserve(out, 4 * FOLD_MAX * (end - start)) < 0) {
        return -1;
    }
    Py_UCS4 *dst = (Py_UCS4 *)out->data;
    for (Py_ssize_t i = start; i < end; i++) {
        Py_UCS4 ch = PyUnicode_READ(kind, data, i);
        if (ch < 0x80) {
            *dst++ = ch >= 'A' && ch <= 'Z' ? ch | 0x20 : ch;
            continue;
        }
        if (ch >= FOLD_LIMIT) {
            return 1;
        }
        if (fold_table[ch] == FOLD_UNKNOWN) {
            Py_UCS4 fold = fold_compute(ch);
            if (fold == 0) {
                return -1;
            }
            fold_table[ch] = fold;
        }
        Py_UCS4 fold = fold_table[ch];
        if (fold == FOLD_UNSAFE) {
            return 1;
        }
        if (fold & FOLD_SEVERAL) {
            const Py_UCS4 *several = fold_several[fold & ~FOLD_SEVERAL];
            memcpy(dst, several + 1, several[0] * sizeof(Py_UCS4));
            dst += several[0];
        }
        else {
            *dst++ = fold;
        }
    }
    out->len = (uint8_t *)dst - out->data;
    return 0;
}

/* The blob of a token that missed the memo, text[start:end], appended to out
 * when its normalisation is known here (memoised under key unless key is
 * NULL: a long token); 1 when it needs `normalize`, -1 on error. */
static int
folded_token_blob(FeatureBuf *out, FeatureBuf *scratch, int kind, const void *data,
                  Py_ssize_t start, Py_ssize_t end, Py_ssize_t ngram,
                  const MemoKey *key)
{
    FeatureBuf folded = {NULL, 0, 0};
    int status = fold_token(&folded, kind, data, start, end);
    Py_ssize_t before = out->len;
    if (status == 0) {
        status = append_piece_features(out, scratch, PyUnicode_4BYTE_KIND,
                                       folded.data, 0, folded.len / 4, ngram);
    }
    PyMem_Free(folded.data);
    if (status == 0 && key != NULL) {
        memo_add(key, out->data + before, out->len - before);
    }
    return status;
}

/* Output so far, plus the pending tokens' blobs spliced in at their places. */
static PyObject *
assemble_blob(FeatureBuf *out, PendingToken *pending, Py_ssize_t npending,
              FeatureBuf *blobs, Py_ssize_t *offsets)
{
    Py_ssize_t total = out->len;
    for (Py_ssize_t p = 0; p < npending; p++) {
        Py_ssize_t i = pending[p].index;
        total += offsets[i + 1] - offsets[i];
    }
    PyObject *result = PyBytes_FromStringAndSize(NULL, total);
    if (result == NULL) {
        return NULL;
    }
    uint8_t *dst = (uint8_t *)PyBytes_AS_STRING(result);
    Py_ssize_t from = 0;
    for (Py_ssize_t p = 0; p < npending; p++) {
        Py_ssize_t i = pending[p].index, size = offsets[i + 1] - offsets[i];
        memcpy(dst, out->data + from, (size_t)(pending[p].at - from));
        dst += pending[p].at - from;
        from = pending[p].at;
        memcpy(dst, blobs->data + offsets[i], (size_t)size);
        dst += size;
    }
    memcpy(dst, out->data + from, (size_t)(out->len - from));
    return result;
}

typedef struct {
    FeatureBuf out, scratch, blobs, pending; /* pending: PendingToken records */
    PyObject *tokens;                 /* distinct pending tokens, in order */
    PyObject *index;                  /* token -> its index in tokens */
    Py_ssize_t *offsets;
} BlobState;

static void
blob_state_free(BlobState *s)
{
    PyMem_Free(s->out.data);
    PyMem_Free(s->scratch.data);
    PyMem_Free(s->blobs.data);
    PyMem_Free(s->pending.data);
    PyMem_Free(s->offsets);
    Py_XDECREF(s->tokens);
    Py_XDECREF(s->index);
}

/* Records text[start:end] (not ASCII, not memoised) as pending at out's end. */
static int
add_pending(BlobState *s, PyObject *text, Py_ssize_t start, Py_ssize_t end)
{
    if (s->tokens == NULL &&
        ((s->tokens = PyList_New(0)) == NULL || (s->index = PyDict_New()) == NULL)) {
        return -1;
    }
    PyObject *token = PyUnicode_Substring(text, start, end);
    if (token == NULL) {
        return -1;
    }
    Py_ssize_t index;
    PyObject *known = PyDict_GetItemWithError(s->index, token);
    if (known != NULL) {
        index = PyLong_AsSsize_t(known);
    }
    else {
        index = PyList_GET_SIZE(s->tokens);
        PyObject *number = PyErr_Occurred() ? NULL : PyLong_FromSsize_t(index);
        int failed = number == NULL || PyDict_SetItem(s->index, token, number) < 0 ||
                     PyList_Append(s->tokens, token) < 0;
        Py_XDECREF(number);
        if (failed) {
            Py_DECREF(token);
            return -1;
        }
    }
    Py_DECREF(token);
    if (feature_buf_reserve(&s->pending, sizeof(PendingToken)) < 0) {
        return -1;
    }
    PendingToken *record = (PendingToken *)(s->pending.data + s->pending.len);
    record->at = s->out.len;
    record->index = index;
    s->pending.len += sizeof(PendingToken);
    return 0;
}

#if defined(__GNUC__) || defined(__clang__)
#define FEATURE_INLINE inline __attribute__((always_inline))
#else
#define FEATURE_INLINE inline
#endif

/* Each token of text (of the given kind: a constant where this is inlined):
 * its blob appended to s->out from the memo or computed, or recorded as
 * pending (for `normalize`). One pass reads a token and writes its memo key. */
static FEATURE_INLINE int
scan_tokens(BlobState *s, PyObject *text, int kind, const void *data, Py_ssize_t n,
            Py_ssize_t ngram)
{
    MemoKey key;
    key.ngram = ngram;
    Py_ssize_t i = 0;
    Py_UCS4 ch = 0;
    for (;;) {
        while (i < n && Py_UNICODE_ISSPACE(ch = PyUnicode_READ(kind, data, i))) {
            i++;
        }
        if (i >= n) {
            return 0;
        }
        Py_ssize_t start = i, keep = i + FEATURE_MEMO_CHARS;
        uint8_t *p = key.bytes;
        do {
            if (i < keep) {
                if (ch < 0x80) {
                    *p++ = (uint8_t)ch;
                }
                else {
                    p += feature_utf8_into(kind, data, i, i + 1, p);
                }
            }
            i++;
        } while (i < n && !Py_UNICODE_ISSPACE(ch = PyUnicode_READ(kind, data, i)));
        int memoised = i <= keep;
        if (memoised) {
            key.len = p - key.bytes;
            key.hash =
                memo_siphash13(feature_memo.k0, feature_memo.k1, key.bytes, key.len) ^
                (uint64_t)ngram;
            const MemoEntry *e = memo_find(&key);
            if (e != NULL) {
                if (feature_buf_reserve(&s->out, e->blob_len) < 0) {
                    return -1;
                }
                memcpy(s->out.data + s->out.len,
                       feature_memo.arena + e->offset + e->key_len, e->blob_len);
                s->out.len += e->blob_len;
                continue;
            }
        }
        int status = folded_token_blob(&s->out, &s->scratch, kind, data, start, i,
                                       ngram, memoised ? &key : NULL);
        if (status < 0 || (status == 1 && add_pending(s, text, start, i) < 0)) {
            return -1;
        }
    }
}

static PyObject *
speedups_feature_blob(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3) {
        PyErr_Format(PyExc_TypeError, "feature_blob expected 3 arguments, got %zd",
                     nargs);
        return NULL;
    }
    PyObject *text = args[0], *normalize = args[2];
    if (!PyUnicode_Check(text)) {
        PyErr_Format(PyExc_TypeError, "text must be str, got %.100s",
                     Py_TYPE(text)->tp_name);
        return NULL;
    }
    Py_ssize_t ngram = PyLong_AsSsize_t(args[1]);
    if (ngram == -1 && PyErr_Occurred()) {
        return NULL;
    }
    if (ngram < 1 || ngram > FEATURE_NGRAM_MAX) {
        PyErr_Format(PyExc_ValueError, "ngram must be in 1..%d, got %zd",
                     FEATURE_NGRAM_MAX, ngram);
        return NULL;
    }
    if (feature_memo_key_once() < 0) {
        return NULL;
    }
    BlobState s;
    memset(&s, 0, sizeof s);
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t n = PyUnicode_GET_LENGTH(text), npending;
    PyObject *result = NULL;
    if (feature_buf_reserve(&s.out, n + 64) < 0) {
        goto done;
    }
    int scanned = kind == PyUnicode_1BYTE_KIND
                      ? scan_tokens(&s, text, PyUnicode_1BYTE_KIND, data, n, ngram)
                  : kind == PyUnicode_2BYTE_KIND
                      ? scan_tokens(&s, text, PyUnicode_2BYTE_KIND, data, n, ngram)
                      : scan_tokens(&s, text, PyUnicode_4BYTE_KIND, data, n, ngram);
    if (scanned < 0) {
        goto done;
    }
    npending = s.pending.len / (Py_ssize_t)sizeof(PendingToken);
    if (npending) {
        Py_ssize_t count = PyList_GET_SIZE(s.tokens);
        s.offsets = PyMem_Malloc((size_t)(count + 1) * sizeof(Py_ssize_t));
        if (s.offsets == NULL) {
            PyErr_NoMemory();
            goto done;
        }
        if (pending_blobs(s.tokens, normalize, ngram, &s.blobs, s.offsets,
                          &s.scratch) < 0) {
            goto done;
        }
    }
    result = assemble_blob(&s.out, (PendingToken *)s.pending.data, npending, &s.blobs,
                           s.offsets);
done:
    blob_state_free(&s);
    return result;
}

static PyObject *
speedups_clear_feature_memo(PyObject *module, PyObject *unused)
{
    feature_memo_reset();
    Py_RETURN_NONE;
}

static PyObject *
speedups_feature_memo_size(PyObject *module, PyObject *unused)
{
    return Py_BuildValue("(In)", feature_memo.count,
                         (Py_ssize_t)feature_memo.arena_len);
}

/* STRIP, NOSPACE, the FOLDED blocks and the memo's bounds as module constants
 * (the tests compare them with neardup/_features.py's, or check them). */
static int
add_feature_blob_constants(PyObject *module)
{
    Py_UCS4 nospace[3 * NOSPACE_COUNT];
    for (size_t i = 0; i < NOSPACE_COUNT; i++) {
        nospace[3 * i] = NOSPACE_RANGES[i][0];
        nospace[3 * i + 1] = '-';
        nospace[3 * i + 2] = NOSPACE_RANGES[i][1];
    }
    PyObject *strip = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, STRIP_CHARS,
                                                STRIP_COUNT);
    if (PyModule_AddObject(module, "STRIP", strip) < 0) {
        Py_XDECREF(strip);
        return -1;
    }
    PyObject *ranges = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, nospace,
                                                 3 * NOSPACE_COUNT);
    if (PyModule_AddObject(module, "NOSPACE", ranges) < 0) {
        Py_XDECREF(ranges);
        return -1;
    }
    Py_UCS4 folded[3 * FOLD_RANGE_COUNT];
    for (size_t i = 0; i < FOLD_RANGE_COUNT; i++) {
        folded[3 * i] = FOLD_RANGES[i][0];
        folded[3 * i + 1] = '-';
        folded[3 * i + 2] = FOLD_RANGES[i][1];
    }
    PyObject *blocks = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, folded,
                                                 3 * FOLD_RANGE_COUNT);
    if (PyModule_AddObject(module, "FOLDED", blocks) < 0) {
        Py_XDECREF(blocks);
        return -1;
    }
    if (PyModule_AddIntConstant(module, "FEATURE_MEMO_LIMIT", FEATURE_MEMO_LIMIT) < 0) {
        return -1;
    }
    return PyModule_AddIntConstant(module, "FEATURE_MEMO_CHARS", FEATURE_MEMO_CHARS);
}

/* ---- end of feature blobs ---------------------------------------------- */

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
    uint8_t digest[8];
    if (str_blake2b_8(key, digest) < 0) {
        Py_DECREF(key);
        Py_DECREF(norm);
        return NULL;
    }
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
    {"feature_blob", (PyCFunction)(void (*)(void))speedups_feature_blob, METH_FASTCALL,
     "Feature digests of a text, memoised by token (neardup.feature_blob)."},
    {"clear_feature_memo", speedups_clear_feature_memo, METH_NOARGS,
     "Empty feature_blob's token memo and free its memory."},
    {"feature_memo_size", speedups_feature_memo_size, METH_NOARGS,
     "(tokens, bytes) held by feature_blob's token memo."},
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
                           PyBytes_FromStringAndSize((const char *)SBOX2, 256)) < 0 ||
        add_feature_blob_constants(module) < 0) {
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
