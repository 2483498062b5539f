// C helpers for package h5io; see shim.h.
//
// Conventions: each exported function keeps every HDF5 identifier it opens in
// a local initialised to -1 and releases all of them under the label "done",
// so that no path leaks a handle. An HDF5 failure is reported with h5fail,
// which copies the HDF5 error stack before any cleanup call can clear it.

#include "shim.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// ---------------------------------------------------------------- errors

typedef struct {
	char first[200];
	char last[240];
	int n;
} walkdata;

static herr_t walk_cb(unsigned n, const H5E_error2_t *e, void *data) {
	walkdata *w = (walkdata *)data;
	const char *desc = (e != NULL && e->desc != NULL) ? e->desc : "";
	(void)n;
	if (w->n == 0) {
		snprintf(w->first, sizeof w->first, "%s", desc);
	}
	snprintf(w->last, sizeof w->last, "%s", desc);
	w->n++;
	return 0;
}

// last_error describes the current HDF5 error stack of the calling thread:
// the message of the API call and the innermost cause.
static void last_error(char *err) {
	walkdata w;
	memset(&w, 0, sizeof w);
	if (H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, walk_cb, &w) < 0 || w.n == 0) {
		snprintf(err, VMC_ERRLEN, "HDF5 error (no details)");
	} else if (w.n == 1 || strcmp(w.first, w.last) == 0) {
		snprintf(err, VMC_ERRLEN, "%s", w.first);
	} else {
		snprintf(err, VMC_ERRLEN, "%s: %s", w.first, w.last);
	}
}

// quiet turns off HDF5's automatic printing of error stacks for the calling
// thread. The thread-safe library keeps that setting per thread, so every
// entry point calls this: errors are reported as values, never on stderr.
static void quiet(void) {
	static __thread int done;
	if (!done) {
		(void)H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
		done = 1;
	}
}

// seterr writes a message of our own.
static void seterr(char *err, const char *fmt, ...) {
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, VMC_ERRLEN, fmt, ap);
	va_end(ap);
}

// h5fail writes "context: HDF5 message".
static void h5fail(char *err, const char *context) {
	char h[VMC_ERRLEN];
	last_error(h);
	// Truncation is acceptable; using the result keeps gcc quiet about it.
	if (snprintf(err, VMC_ERRLEN, "%s: %s", context, h) >= VMC_ERRLEN) {
		err[VMC_ERRLEN - 1] = '\0';
	}
}

#define H5FAIL(ctx)             \
	do {                        \
		h5fail(err, ctx);       \
		goto done;              \
	} while (0)

#define FAILF(...)                  \
	do {                            \
		seterr(err, __VA_ARGS__);   \
		goto done;                  \
	} while (0)

#define CLOSE(fn, id)          \
	do {                       \
		if ((id) >= 0) {       \
			(void)fn(id);      \
			(id) = -1;         \
		}                      \
	} while (0)

// close_dataset closes ds; a failure (H5Dclose writes cached chunks) turns a
// successful ret into a failure.
static int close_dataset(hid_t ds, int ret, char *err) {
	if (ds < 0) {
		return ret;
	}
	if (H5Dclose(ds) < 0 && ret == VMC_OK) {
		h5fail(err, "close dataset");
		return VMC_EFAIL;
	}
	return ret;
}

// ---------------------------------------------------------------- types

// types describes each element type code: its name in messages and the
// class, size and signedness of the stored type that reads as it.
static const struct {
	const char *name;
	H5T_class_t cls;
	size_t size;
	H5T_sign_t sign;
} types[] = {
	[VMC_F64] = {"float64", H5T_FLOAT, 8, H5T_SGN_ERROR},
	[VMC_I64] = {"int64", H5T_INTEGER, 8, H5T_SGN_2},
	[VMC_I8] = {"int8", H5T_INTEGER, 1, H5T_SGN_2},
	[VMC_U64] = {"uint64", H5T_INTEGER, 8, H5T_SGN_NONE},
	[VMC_C128] = {"complex128", H5T_COMPOUND, 16, H5T_SGN_ERROR},
	[VMC_BOOL] = {"bool", H5T_ENUM, 1, H5T_SGN_ERROR},
	[VMC_STR] = {"string", H5T_STRING, 0, H5T_SGN_ERROR},
};

static const char *class_name(H5T_class_t c) {
	static const char *names[] = {
	    [H5T_INTEGER] = "integer", [H5T_FLOAT] = "float", [H5T_STRING] = "string",
	    [H5T_BITFIELD] = "bitfield", [H5T_OPAQUE] = "opaque", [H5T_COMPOUND] = "compound",
	    [H5T_REFERENCE] = "reference", [H5T_ENUM] = "enum", [H5T_VLEN] = "variable-length",
	    [H5T_ARRAY] = "array",
	};
	if (c < 0 || (size_t)c >= sizeof names / sizeof names[0] || names[c] == NULL) {
		return "unknown";
	}
	return names[c];
}

// make_type returns a new datatype for code; the caller closes it.
static hid_t make_type(int code) {
	hid_t t = -1;
	signed char no = 0, yes = 1;
	switch (code) {
	case VMC_F64:
		return H5Tcopy(H5T_NATIVE_DOUBLE);
	case VMC_I64:
		return H5Tcopy(H5T_NATIVE_INT64);
	case VMC_I8:
		return H5Tcopy(H5T_NATIVE_INT8);
	case VMC_U64:
		return H5Tcopy(H5T_NATIVE_UINT64);
	case VMC_C128:
		if ((t = H5Tcreate(H5T_COMPOUND, 16)) >= 0 &&
		    (H5Tinsert(t, "r", 0, H5T_NATIVE_DOUBLE) < 0 || H5Tinsert(t, "i", 8, H5T_NATIVE_DOUBLE) < 0)) {
			H5Tclose(t);
			t = -1;
		}
		return t;
	case VMC_BOOL:
		if ((t = H5Tenum_create(H5T_NATIVE_INT8)) >= 0 &&
		    (H5Tenum_insert(t, "FALSE", &no) < 0 || H5Tenum_insert(t, "TRUE", &yes) < 0)) {
			H5Tclose(t);
			t = -1;
		}
		return t;
	case VMC_STR:
		if ((t = H5Tcopy(H5T_C_S1)) >= 0 &&
		    (H5Tset_size(t, H5T_VARIABLE) < 0 || H5Tset_cset(t, H5T_CSET_UTF8) < 0)) {
			H5Tclose(t);
			t = -1;
		}
		return t;
	}
	return -1;
}

// is_complex reports whether the compound type t is {float64 r; float64 i}
// with r at offset 0 and i at 8.
static int is_complex(hid_t t) {
	int ok = H5Tget_nmembers(t) == 2, k;
	for (k = 0; ok && k < 2; k++) {
		int m = H5Tget_member_index(t, k == 0 ? "r" : "i");
		hid_t mt = m < 0 ? -1 : H5Tget_member_type(t, (unsigned)m);
		ok = mt >= 0 && H5Tget_member_offset(t, (unsigned)m) == (size_t)(8 * k) &&
		     H5Tget_class(mt) == H5T_FLOAT && H5Tget_size(mt) == 8;
		CLOSE(H5Tclose, mt);
	}
	return ok;
}

// check_type reports whether data stored with type ftype is exactly the type
// written for code: same class, size and signedness (byte order may differ,
// which HDF5 converts without loss). Anything else is refused rather than
// converted: an int8 array where uint64 RNG states belong is a wrong file,
// not a narrower number. A bool is h5py's enum or a one-byte integer.
static int check_type(hid_t ftype, int code, char *err) {
	H5T_class_t c = H5Tget_class(ftype);
	size_t size = H5Tget_size(ftype);
	int ok = size == types[code].size && (c == types[code].cls || (code == VMC_BOOL && c == H5T_INTEGER));
	if (ok && types[code].cls == H5T_INTEGER) {
		ok = H5Tget_sign(ftype) == types[code].sign;
	}
	if (ok && c == H5T_COMPOUND) {
		ok = is_complex(ftype);
	}
	if (ok) {
		return VMC_OK;
	}
	if (c == H5T_COMPOUND && code == VMC_C128) {
		seterr(err, "stored type is a compound other than {float64 r; float64 i}, want complex128");
	} else if ((c == H5T_INTEGER && code != VMC_F64) || (c == H5T_FLOAT && code == VMC_F64)) {
		seterr(err, "stored type is a %zu-byte %s%s, want %s", size,
		       c == H5T_INTEGER && H5Tget_sign(ftype) == H5T_SGN_NONE ? "unsigned " : "",
		       class_name(c), types[code].name);
	} else {
		seterr(err, "stored type is %s, want %s", class_name(c), types[code].name);
	}
	return VMC_EFAIL;
}

// read_type returns the memory type used to read data of type ftype as code.
static hid_t read_type(hid_t ftype, int code) {
	if (code == VMC_BOOL && H5Tget_class(ftype) == H5T_INTEGER) {
		return H5Tcopy(H5T_NATIVE_INT8);
	}
	return make_type(code);
}

// ---------------------------------------------------------------- objects

// path_exists reports whether every link along the absolute path exists and
// the last one resolves to an object. H5Lexists fails, rather than returning
// false, when an intermediate group is missing, hence the walk.
static int path_exists(hid_t loc, const char *path) {
	size_t len, i;
	char *buf;
	int ok = 1;
	if (path == NULL || path[0] == '\0') {
		return 0;
	}
	if (strcmp(path, "/") == 0) {
		return 1;
	}
	len = strlen(path);
	if ((buf = strdup(path)) == NULL) {
		return 0;
	}
	for (i = 1; i <= len && ok; i++) {
		if (buf[i] == '/' || buf[i] == '\0') {
			char saved = buf[i];
			buf[i] = '\0';
			ok = H5Lexists(loc, buf, H5P_DEFAULT) > 0;
			buf[i] = saved;
		}
	}
	free(buf);
	return ok && H5Oexists_by_name(loc, path, H5P_DEFAULT) > 0;
}

// vmc_kind tells what path names: VMC_KIND_NONE when nothing, or -1 when the
// object exists but cannot be opened.
int vmc_kind(hid_t loc, const char *path) {
	hid_t obj;
	H5I_type_t t;
	quiet();
	if (!path_exists(loc, path)) {
		return VMC_KIND_NONE;
	}
	if ((obj = H5Oopen(loc, path, H5P_DEFAULT)) < 0) {
		return -1;
	}
	t = H5Iget_type(obj);
	H5Oclose(obj);
	return t == H5I_GROUP ? VMC_KIND_GROUP : t == H5I_DATASET ? VMC_KIND_DATASET : VMC_KIND_OTHER;
}

// expect checks that path names an object of kind want (a group or a
// dataset): VMC_OK if so, VMC_ENOTFOUND if nothing is there, and VMC_EFAIL
// if something else is; err says which.
static int expect(hid_t loc, const char *path, int want, char *err) {
	int kind = vmc_kind(loc, path);
	if (kind == want) {
		return VMC_OK;
	}
	if (kind == VMC_KIND_NONE) {
		seterr(err, "not found");
		return VMC_ENOTFOUND;
	}
	if (kind == -1) {
		h5fail(err, "open object");
	} else {
		seterr(err, "exists and is not a %s", want == VMC_KIND_GROUP ? "group" : "dataset");
	}
	return VMC_EFAIL;
}

// check_parents fails, with a clear message, when a parent of path exists
// but is not a group (HDF5 itself says "message type not found").
static int check_parents(hid_t loc, const char *path, char *err) {
	size_t len = strlen(path), i;
	char *buf = strdup(path);
	int ret = VMC_OK, kind;
	if (buf == NULL) {
		seterr(err, "out of memory");
		return VMC_EFAIL;
	}
	for (i = 1; i < len && ret == VMC_OK; i++) {
		if (buf[i] == '/') {
			buf[i] = '\0';
			if ((kind = vmc_kind(loc, buf)) == VMC_KIND_NONE) {
				break;
			}
			if (kind != VMC_KIND_GROUP) {
				seterr(err, "parent %s is not a group", buf);
				ret = VMC_EFAIL;
			}
			buf[i] = '/';
		}
	}
	free(buf);
	return ret;
}

// create_object creates the group path (t < 0) or the dataset path of type t
// and shape dims, with any missing parent groups. With chunk > 0 the
// dataset is chunked by chunk rows and has no maximum length (rank 1).
static hid_t create_object(hid_t loc, const char *path, hid_t t, int rank, const hsize_t *dims,
                           hsize_t chunk, char *err) {
	hid_t lcpl = -1, dcpl = -1, sp = -1, obj = -1;
	hsize_t unlimited = H5S_UNLIMITED;
	if (check_parents(loc, path, err) != VMC_OK) goto done;
	if ((lcpl = H5Pcreate(H5P_LINK_CREATE)) < 0 || H5Pset_create_intermediate_group(lcpl, 1) < 0) {
		H5FAIL("create property list");
	}
	if (t < 0) {
		if ((obj = H5Gcreate2(loc, path, lcpl, H5P_DEFAULT, H5P_DEFAULT)) < 0) H5FAIL("create group");
		goto done;
	}
	if (chunk > 0) {
		if ((dcpl = H5Pcreate(H5P_DATASET_CREATE)) < 0) H5FAIL("create property list");
		if (H5Pset_chunk(dcpl, 1, &chunk) < 0) H5FAIL("set chunk size");
	}
	if ((sp = H5Screate_simple(rank, dims, chunk > 0 ? &unlimited : NULL)) < 0) H5FAIL("create dataspace");
	if ((obj = H5Dcreate2(loc, path, t, sp, lcpl, dcpl >= 0 ? dcpl : H5P_DEFAULT, H5P_DEFAULT)) < 0) {
		H5FAIL("create dataset");
	}
done:
	CLOSE(H5Sclose, sp);
	CLOSE(H5Pclose, dcpl);
	CLOSE(H5Pclose, lcpl);
	return obj;
}

int vmc_mkgroup(hid_t loc, const char *path, char *err) {
	hid_t g;
	int ret;
	quiet();
	if ((ret = expect(loc, path, VMC_KIND_GROUP, err)) != VMC_ENOTFOUND) {
		return ret;
	}
	if ((g = create_object(loc, path, -1, 0, NULL, 0, err)) < 0) {
		return VMC_EFAIL;
	}
	H5Gclose(g);
	return VMC_OK;
}

// open_dataset opens path as a dataset; on failure *ret says whether it was
// not found.
static hid_t open_dataset(hid_t loc, const char *path, int *ret, char *err) {
	hid_t ds = -1;
	if ((*ret = expect(loc, path, VMC_KIND_DATASET, err)) == VMC_OK &&
	    (ds = H5Dopen2(loc, path, H5P_DEFAULT)) < 0) {
		h5fail(err, "open dataset");
		*ret = VMC_EFAIL;
	}
	return ds;
}

typedef struct {
	char *buf;
	size_t len, cap;
	int oom;
} namelist;

static herr_t add_name(namelist *nl, const char *name) {
	size_t n = strlen(name) + 1;
	if (nl->len + n > nl->cap) {
		size_t cap = 2 * nl->cap + n + 64;
		char *b = (char *)realloc(nl->buf, cap);
		if (b == NULL) {
			nl->oom = 1;
			return -1;
		}
		nl->buf = b;
		nl->cap = cap;
	}
	memcpy(nl->buf + nl->len, name, n);
	nl->len += n;
	return 0;
}

static herr_t attr_cb(hid_t loc, const char *name, const H5A_info_t *info, void *data) {
	(void)loc;
	(void)info;
	return add_name((namelist *)data, name);
}

static herr_t link_cb(hid_t g, const char *name, const H5L_info_t *info, void *data) {
	(void)g;
	(void)info;
	return add_name((namelist *)data, name);
}

// vmc_names returns, in name order, the attribute names of the object path
// (attrs != 0) or the link names of the group path, as a malloc'd block of
// NUL-terminated strings; the caller frees *out.
int vmc_names(hid_t loc, const char *path, int attrs, char **out, size_t *outlen, char *err) {
	namelist nl;
	hsize_t idx = 0;
	herr_t r;
	int ret;
	quiet();
	memset(&nl, 0, sizeof nl);
	*out = NULL;
	*outlen = 0;
	if (attrs && !path_exists(loc, path)) {
		seterr(err, "object %s not found", path);
		return VMC_ENOTFOUND;
	}
	if (!attrs && (ret = expect(loc, path, VMC_KIND_GROUP, err)) != VMC_OK) {
		return ret;
	}
	r = attrs ? H5Aiterate_by_name(loc, path, H5_INDEX_NAME, H5_ITER_INC, NULL, attr_cb, &nl, H5P_DEFAULT)
	          : H5Literate_by_name(loc, path, H5_INDEX_NAME, H5_ITER_INC, &idx, link_cb, &nl, H5P_DEFAULT);
	if (r < 0) {
		if (nl.oom) {
			seterr(err, "out of memory");
		} else {
			h5fail(err, attrs ? "iterate attributes" : "iterate links");
		}
		free(nl.buf);
		return VMC_EFAIL;
	}
	*out = nl.buf;
	*outlen = nl.len;
	return VMC_OK;
}

// read_values reads the n values of the dataset or attribute o (attr says
// which) into buf as type code, after checking the stored type and size.
static int read_values(hid_t o, int attr, int code, void *buf, hsize_t n, char *err) {
	int ret = VMC_EFAIL;
	hid_t ft = -1, mt = -1, sp = -1;
	hssize_t npts;
	if ((ft = attr ? H5Aget_type(o) : H5Dget_type(o)) < 0) H5FAIL("get datatype");
	if (check_type(ft, code, err) < 0) goto done;
	if ((sp = attr ? H5Aget_space(o) : H5Dget_space(o)) < 0) H5FAIL("get dataspace");
	if ((npts = H5Sget_simple_extent_npoints(sp)) < 0) H5FAIL("get size");
	if ((hsize_t)npts != n) FAILF("holds %lld values, want %llu", (long long)npts, (unsigned long long)n);
	if ((mt = read_type(ft, code)) < 0) H5FAIL("create datatype");
	if (n > 0 && (attr ? H5Aread(o, mt, buf) : H5Dread(o, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf)) < 0) {
		H5FAIL("read");
	}
	ret = VMC_OK;
done:
	CLOSE(H5Sclose, sp);
	CLOSE(H5Tclose, mt);
	CLOSE(H5Tclose, ft);
	return ret;
}

// ---------------------------------------------------------------- datasets

int vmc_dset_write(hid_t loc, const char *path, int code, int rank, const hsize_t *dims,
                   const void *buf, char *err) {
	int ret = VMC_EFAIL, i;
	hid_t t = -1, ds = -1, ft = -1, sp = -1;
	hsize_t npts = 1;
	quiet();
	if (rank < 1 || rank > VMC_MAXRANK) {
		seterr(err, "rank %d out of range [1, %d]", rank, VMC_MAXRANK);
		return VMC_EFAIL;
	}
	for (i = 0; i < rank; i++) {
		npts *= dims[i];
	}
	if ((t = make_type(code)) < 0) H5FAIL("create datatype");
	if ((ds = open_dataset(loc, path, &ret, err)) < 0 && ret != VMC_ENOTFOUND) goto done;
	ret = VMC_EFAIL;
	if (ds >= 0) {
		// Same type and shape: write in place. Otherwise replace it.
		hsize_t cur[VMC_MAXRANK];
		int same;
		if ((ft = H5Dget_type(ds)) < 0) H5FAIL("get datatype");
		if ((sp = H5Dget_space(ds)) < 0) H5FAIL("get dataspace");
		same = H5Tequal(ft, t) > 0 && H5Sget_simple_extent_ndims(sp) == rank;
		if (same && H5Sget_simple_extent_dims(sp, cur, NULL) < 0) H5FAIL("get dimensions");
		for (i = 0; same && i < rank; i++) {
			same = cur[i] == dims[i];
		}
		if (!same) {
			int rc = close_dataset(ds, VMC_OK, err);
			ds = -1;
			if (rc != VMC_OK) goto done;
			if (H5Ldelete(loc, path, H5P_DEFAULT) < 0) H5FAIL("delete old dataset");
		}
	}
	if (ds < 0 && (ds = create_object(loc, path, t, rank, dims, 0, err)) < 0) goto done;
	if (npts > 0 && H5Dwrite(ds, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) H5FAIL("write");
	ret = VMC_OK;
done:
	ret = close_dataset(ds, ret, err);
	CLOSE(H5Sclose, sp);
	CLOSE(H5Tclose, ft);
	CLOSE(H5Tclose, t);
	return ret;
}

int vmc_dset_info(hid_t loc, const char *path, int *rank, hsize_t *dims, char *err) {
	int ret, r;
	hid_t ds, sp = -1;
	quiet();
	if ((ds = open_dataset(loc, path, &ret, err)) < 0) {
		return ret;
	}
	ret = VMC_EFAIL;
	if ((sp = H5Dget_space(ds)) < 0) H5FAIL("get dataspace");
	if ((r = H5Sget_simple_extent_ndims(sp)) < 0) H5FAIL("get rank");
	if (r > VMC_MAXRANK) FAILF("rank %d exceeds %d", r, VMC_MAXRANK);
	if (H5Sget_simple_extent_dims(sp, dims, NULL) < 0) H5FAIL("get dimensions");
	*rank = r;
	ret = VMC_OK;
done:
	CLOSE(H5Sclose, sp);
	return close_dataset(ds, ret, err);
}

int vmc_dset_read(hid_t loc, const char *path, int code, void *buf, hsize_t n, char *err) {
	int ret;
	hid_t ds;
	quiet();
	if ((ds = open_dataset(loc, path, &ret, err)) < 0) {
		return ret;
	}
	return close_dataset(ds, read_values(ds, 0, code, buf, n, err), err);
}

// vmc_log_open opens the dataset at path for appending values of type code
// and returns it; a missing dataset is created, one-dimensional, empty,
// chunked by chunk rows and without maximum length. On failure it returns
// -1 with *ret set.
hid_t vmc_log_open(hid_t loc, const char *path, int code, hsize_t chunk, int *ret, char *err) {
	hid_t t = -1, ds, ft = -1, sp = -1;
	hsize_t zero = 0;
	quiet();
	if ((ds = open_dataset(loc, path, ret, err)) >= 0) {
		*ret = VMC_EFAIL;
		if ((ft = H5Dget_type(ds)) < 0) H5FAIL("get datatype");
		if (check_type(ft, code, err) < 0) goto done;
		if ((sp = H5Dget_space(ds)) < 0) H5FAIL("get dataspace");
		if (H5Sget_simple_extent_ndims(sp) != 1) FAILF("is not one-dimensional");
	} else if (*ret == VMC_ENOTFOUND) {
		*ret = VMC_EFAIL;
		if ((t = make_type(code)) < 0) H5FAIL("create datatype");
		if ((ds = create_object(loc, path, t, 1, &zero, chunk < 1 ? 1 : chunk, err)) < 0) goto done;
	} else {
		goto done;
	}
	*ret = VMC_OK;
done:
	if (*ret != VMC_OK) {
		CLOSE(H5Dclose, ds);
	}
	CLOSE(H5Sclose, sp);
	CLOSE(H5Tclose, ft);
	CLOSE(H5Tclose, t);
	return ds;
}

// vmc_log_append appends n values of type code to the open one-dimensional
// dataset ds: it extends the dataset (H5Dset_extent) and writes the new rows
// through a hyperslab selection. A failed write shrinks it back.
int vmc_log_append(hid_t ds, int code, const void *buf, hsize_t n, char *err) {
	int ret = VMC_EFAIL, extended = 0;
	hid_t t = -1, sp = -1, ms = -1;
	hsize_t cur = 0, max = 0, newlen;
	quiet();
	if ((sp = H5Dget_space(ds)) < 0) H5FAIL("get dataspace");
	if (H5Sget_simple_extent_ndims(sp) != 1) FAILF("is not one-dimensional");
	if (H5Sget_simple_extent_dims(sp, &cur, &max) < 0) H5FAIL("get dimensions");
	CLOSE(H5Sclose, sp);
	if (n == 0) {
		ret = VMC_OK;
		goto done;
	}
	newlen = cur + n;
	if (max != H5S_UNLIMITED && max < newlen) FAILF("is not extendable (maximum %llu rows)", (unsigned long long)max);
	if ((t = make_type(code)) < 0) H5FAIL("create datatype");
	if (H5Dset_extent(ds, &newlen) < 0) H5FAIL("set extent");
	extended = 1;
	if ((sp = H5Dget_space(ds)) < 0) H5FAIL("get dataspace");
	if (H5Sselect_hyperslab(sp, H5S_SELECT_SET, &cur, NULL, &n, NULL) < 0) H5FAIL("select rows");
	if ((ms = H5Screate_simple(1, &n, NULL)) < 0) H5FAIL("create dataspace");
	if (H5Dwrite(ds, t, ms, sp, H5P_DEFAULT, buf) < 0) H5FAIL("write");
	ret = VMC_OK;
done:
	if (ret != VMC_OK && extended) {
		// Do not leave rows of fill values behind a failed write.
		(void)H5Dset_extent(ds, &cur);
	}
	CLOSE(H5Sclose, ms);
	CLOSE(H5Sclose, sp);
	CLOSE(H5Tclose, t);
	return ret;
}

// vmc_dataset_close closes a dataset returned by vmc_log_open.
int vmc_dataset_close(hid_t ds, char *err) {
	quiet();
	return close_dataset(ds, VMC_OK, err);
}

// ---------------------------------------------------------------- attributes

// attr_exists checks that obj exists and tells whether it has the attribute
// name: 1 or 0, or VMC_ENOTFOUND or VMC_EFAIL with a message.
static int attr_exists(hid_t loc, const char *obj, const char *name, char *err) {
	htri_t ex;
	if (!path_exists(loc, obj)) {
		seterr(err, "object %s not found", obj);
		return VMC_ENOTFOUND;
	}
	if ((ex = H5Aexists_by_name(loc, obj, name, H5P_DEFAULT)) < 0) {
		h5fail(err, "look up attribute");
		return VMC_EFAIL;
	}
	return ex > 0;
}

// attr_open opens an existing attribute; on failure *ret says whether it
// was not found.
static hid_t attr_open(hid_t loc, const char *obj, const char *name, int *ret, char *err) {
	hid_t a;
	int ex = attr_exists(loc, obj, name, err);
	*ret = ex == 0 ? VMC_ENOTFOUND : ex < 0 ? ex : VMC_OK;
	if (ex == 0) {
		seterr(err, "not found");
	}
	if (*ret != VMC_OK) {
		return -1;
	}
	if ((a = H5Aopen_by_name(loc, obj, name, H5P_DEFAULT, H5P_DEFAULT)) < 0) {
		h5fail(err, "open attribute");
		*ret = VMC_EFAIL;
	}
	return a;
}

// vmc_attr_write replaces the attribute name of obj, whatever its type, by
// a scalar (rank 0) or the n values in buf of type code; for VMC_STR, buf
// holds a pointer to the string.
int vmc_attr_write(hid_t loc, const char *obj, const char *name, int code, int rank,
                   hsize_t n, const void *buf, char *err) {
	int ret;
	hid_t t = -1, sp = -1, a = -1;
	quiet();
	if ((ret = attr_exists(loc, obj, name, err)) < 0) {
		return ret;
	}
	if (ret == 1 && H5Adelete_by_name(loc, obj, name, H5P_DEFAULT) < 0) {
		h5fail(err, "delete old attribute");
		return VMC_EFAIL;
	}
	ret = VMC_EFAIL;
	if ((t = make_type(code)) < 0) H5FAIL("create datatype");
	if ((sp = rank == 0 ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &n, NULL)) < 0) H5FAIL("create dataspace");
	if ((a = H5Acreate_by_name(loc, obj, name, t, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)) < 0) H5FAIL("create attribute");
	if ((rank == 0 || n > 0) && H5Awrite(a, t, buf) < 0) H5FAIL("write");
	ret = VMC_OK;
done:
	CLOSE(H5Aclose, a);
	CLOSE(H5Sclose, sp);
	CLOSE(H5Tclose, t);
	return ret;
}

// vmc_attr_len stores the number of values of an attribute in *n.
int vmc_attr_len(hid_t loc, const char *obj, const char *name, hsize_t *n, char *err) {
	int ret;
	hid_t a, sp = -1;
	hssize_t np;
	quiet();
	if ((a = attr_open(loc, obj, name, &ret, err)) < 0) {
		return ret;
	}
	ret = VMC_EFAIL;
	if ((sp = H5Aget_space(a)) < 0) H5FAIL("get dataspace");
	if ((np = H5Sget_simple_extent_npoints(sp)) < 0) H5FAIL("get size");
	*n = (hsize_t)np;
	ret = VMC_OK;
done:
	CLOSE(H5Sclose, sp);
	CLOSE(H5Aclose, a);
	return ret;
}

int vmc_attr_read(hid_t loc, const char *obj, const char *name, int code, void *buf,
                  hsize_t n, char *err) {
	int ret;
	hid_t a;
	quiet();
	if ((a = attr_open(loc, obj, name, &ret, err)) < 0) {
		return ret;
	}
	ret = read_values(a, 1, code, buf, n, err);
	H5Aclose(a);
	return ret;
}

// vmc_attr_read_str reads a string attribute, variable-length or
// fixed-length (trailing space padding removed), into a malloc'd string
// that the caller frees.
int vmc_attr_read_str(hid_t loc, const char *obj, const char *name, char **out, char *err) {
	int ret;
	hid_t a, ft = -1, sp = -1;
	hssize_t np;
	char *vs = NULL, *fixed = NULL;
	quiet();
	*out = NULL;
	if ((a = attr_open(loc, obj, name, &ret, err)) < 0) {
		return ret;
	}
	ret = VMC_EFAIL;
	if ((ft = H5Aget_type(a)) < 0) H5FAIL("get datatype");
	if (H5Tget_class(ft) != H5T_STRING) FAILF("stored type is %s, want string", class_name(H5Tget_class(ft)));
	if ((sp = H5Aget_space(a)) < 0) H5FAIL("get dataspace");
	if ((np = H5Sget_simple_extent_npoints(sp)) < 0) H5FAIL("get size");
	if (np != 1) FAILF("holds %lld strings, want 1", (long long)np);
	if (H5Tis_variable_str(ft) > 0) {
		if (H5Aread(a, ft, &vs) < 0) H5FAIL("read");
		if ((*out = strdup(vs != NULL ? vs : "")) == NULL) FAILF("out of memory");
	} else {
		size_t size = H5Tget_size(ft), len;
		if (size == 0) H5FAIL("get string size");
		if ((fixed = (char *)calloc(size + 1, 1)) == NULL) FAILF("out of memory");
		if (H5Aread(a, ft, fixed) < 0) H5FAIL("read");
		len = strlen(fixed);
		if (H5Tget_strpad(ft) == H5T_STR_SPACEPAD) {
			while (len > 0 && fixed[len - 1] == ' ') len--;
			fixed[len] = '\0';
		}
		*out = fixed;
		fixed = NULL;
	}
	ret = VMC_OK;
done:
	if (vs != NULL) H5free_memory(vs);
	free(fixed);
	CLOSE(H5Sclose, sp);
	CLOSE(H5Tclose, ft);
	CLOSE(H5Aclose, a);
	return ret;
}

// ---------------------------------------------------------------- files

// vmc_file_open creates (VMC_CREATE, truncating) or opens (VMC_RDONLY,
// VMC_RDWR) the file at path; it returns the file or -1 with a message.
hid_t vmc_file_open(const char *path, int mode, char *err) {
	hid_t f;
	quiet();
	if (mode == VMC_CREATE) {
		f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
	} else {
		f = H5Fopen(path, mode == VMC_RDONLY ? H5F_ACC_RDONLY : H5F_ACC_RDWR, H5P_DEFAULT);
	}
	if (f < 0) {
		h5fail(err, mode == VMC_CREATE ? "create file" : "open file");
	}
	return f;
}

// vmc_file_flush writes HDF5's cached data and metadata of the whole file.
int vmc_file_flush(hid_t f, char *err) {
	quiet();
	if (H5Fflush(f, H5F_SCOPE_GLOBAL) < 0) {
		h5fail(err, "flush");
		return VMC_EFAIL;
	}
	return VMC_OK;
}

// vmc_file_close closes the file identifier.
int vmc_file_close(hid_t f, char *err) {
	quiet();
	if (H5Fclose(f) < 0) {
		h5fail(err, "close file");
		return VMC_EFAIL;
	}
	return VMC_OK;
}

// vmc_open_ids stores the number of open identifiers of the file by kind:
// files, datasets, groups, named datatypes, attributes. For tests.
int vmc_open_ids(hid_t file, long long *counts) {
	static const unsigned kinds[5] = {H5F_OBJ_FILE, H5F_OBJ_DATASET, H5F_OBJ_GROUP,
	                                  H5F_OBJ_DATATYPE, H5F_OBJ_ATTR};
	int i;
	quiet();
	for (i = 0; i < 5; i++) {
		ssize_t n = H5Fget_obj_count(file, kinds[i] | H5F_OBJ_LOCAL);
		if (n < 0) {
			return VMC_EFAIL;
		}
		counts[i] = (long long)n;
	}
	return VMC_OK;
}
