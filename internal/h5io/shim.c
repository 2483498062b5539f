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

// vmc_last_error describes the current HDF5 error stack of the calling
// thread: the message of the API call and the innermost cause.
void vmc_last_error(char *err) {
	walkdata w;
	memset(&w, 0, sizeof w);
	if (H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, walk_cb, &w) < 0 || w.n == 0) {
		snprintf(err, VMC_ERRLEN, "HDF5 error (no details)");
		return;
	}
	if (w.n == 1 || strcmp(w.first, w.last) == 0) {
		snprintf(err, VMC_ERRLEN, "%s", w.first);
	} else {
		snprintf(err, VMC_ERRLEN, "%s: %s", w.first, w.last);
	}
}

// vmc_quiet turns off HDF5's automatic printing of error stacks for the
// calling thread. The thread-safe library keeps that setting per thread, and
// gonum/hdf5 sets it only on the thread that ran its init, so every entry
// point calls this: errors are reported as values, never on stderr.
void vmc_quiet(void) {
	static __thread int quiet;
	if (!quiet) {
		(void)H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
		quiet = 1;
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
	vmc_last_error(h);
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

static const char *code_name(int code) {
	switch (code) {
	case VMC_F64:
		return "float64";
	case VMC_I64:
		return "int64";
	case VMC_I8:
		return "int8";
	case VMC_U64:
		return "uint64";
	case VMC_C128:
		return "complex128";
	case VMC_BOOL:
		return "bool";
	}
	return "unknown";
}

static const char *class_name(H5T_class_t c) {
	switch (c) {
	case H5T_INTEGER:
		return "integer";
	case H5T_FLOAT:
		return "float";
	case H5T_STRING:
		return "string";
	case H5T_COMPOUND:
		return "compound";
	case H5T_ENUM:
		return "enum";
	case H5T_ARRAY:
		return "array";
	case H5T_VLEN:
		return "variable-length";
	case H5T_OPAQUE:
		return "opaque";
	case H5T_BITFIELD:
		return "bitfield";
	case H5T_REFERENCE:
		return "reference";
	default:
		return "unknown";
	}
}

// make_type returns a new datatype for code; the caller closes it.
static hid_t make_type(int code) {
	hid_t t = -1;
	signed char v;
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
		if ((t = H5Tcreate(H5T_COMPOUND, 16)) < 0) {
			return -1;
		}
		if (H5Tinsert(t, "r", 0, H5T_NATIVE_DOUBLE) < 0 ||
		    H5Tinsert(t, "i", 8, H5T_NATIVE_DOUBLE) < 0) {
			H5Tclose(t);
			return -1;
		}
		return t;
	case VMC_BOOL:
		if ((t = H5Tenum_create(H5T_NATIVE_INT8)) < 0) {
			return -1;
		}
		v = 0;
		if (H5Tenum_insert(t, "FALSE", &v) < 0) {
			H5Tclose(t);
			return -1;
		}
		v = 1;
		if (H5Tenum_insert(t, "TRUE", &v) < 0) {
			H5Tclose(t);
			return -1;
		}
		return t;
	}
	return -1;
}

// check_type reports whether data stored with type ftype is exactly the type
// written for code: same class, size and signedness (byte order may differ,
// which HDF5 converts without loss). Anything else is refused rather than
// converted: an int8 array where uint64 RNG states belong is a wrong file,
// not a narrower number.
static int check_type(hid_t ftype, int code, char *err) {
	H5T_class_t c = H5Tget_class(ftype);
	size_t size = H5Tget_size(ftype);
	int ok = 0;
	switch (code) {
	case VMC_F64:
		ok = c == H5T_FLOAT && size == 8;
		break;
	case VMC_I64:
		ok = c == H5T_INTEGER && size == 8 && H5Tget_sign(ftype) == H5T_SGN_2;
		break;
	case VMC_I8:
		ok = c == H5T_INTEGER && size == 1 && H5Tget_sign(ftype) == H5T_SGN_2;
		break;
	case VMC_U64:
		ok = c == H5T_INTEGER && size == 8 && H5Tget_sign(ftype) == H5T_SGN_NONE;
		break;
	case VMC_C128:
		if (c == H5T_COMPOUND && size == 16 && H5Tget_nmembers(ftype) == 2) {
			int r = H5Tget_member_index(ftype, "r"), i = H5Tget_member_index(ftype, "i");
			ok = r >= 0 && i >= 0 && H5Tget_member_offset(ftype, (unsigned)r) == 0 &&
			     H5Tget_member_offset(ftype, (unsigned)i) == 8;
			if (ok) {
				hid_t rt = H5Tget_member_type(ftype, (unsigned)r), it = H5Tget_member_type(ftype, (unsigned)i);
				ok = rt >= 0 && it >= 0 && H5Tget_class(rt) == H5T_FLOAT && H5Tget_size(rt) == 8 &&
				     H5Tget_class(it) == H5T_FLOAT && H5Tget_size(it) == 8;
				if (rt >= 0) H5Tclose(rt);
				if (it >= 0) H5Tclose(it);
			}
		}
		break;
	case VMC_BOOL:
		ok = (c == H5T_ENUM || c == H5T_INTEGER) && size == 1;
		break;
	}
	if (!ok) {
		if (c == H5T_COMPOUND && code == VMC_C128) {
			seterr(err, "stored type is a compound other than {float64 r; float64 i}, want complex128");
		} else if ((c == H5T_INTEGER && code != VMC_F64) || (c == H5T_FLOAT && code == VMC_F64)) {
			seterr(err, "stored type is a %zu-byte %s%s, want %s", size,
			       c == H5T_INTEGER && H5Tget_sign(ftype) == H5T_SGN_NONE ? "unsigned " : "",
			       class_name(c), code_name(code));
		} else {
			seterr(err, "stored type is %s, want %s", class_name(c), code_name(code));
		}
		return VMC_EFAIL;
	}
	return VMC_OK;
}

// read_type returns the memory type used to read data of type ftype as code.
static hid_t read_type(hid_t ftype, int code) {
	if (code == VMC_BOOL && H5Tget_class(ftype) == H5T_INTEGER) {
		return H5Tcopy(H5T_NATIVE_INT8);
	}
	return make_type(code);
}

// link_create_plist returns a link creation property list that creates
// missing intermediate groups.
static hid_t link_create_plist(void) {
	hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
	if (lcpl < 0) {
		return -1;
	}
	if (H5Pset_create_intermediate_group(lcpl, 1) < 0) {
		H5Pclose(lcpl);
		return -1;
	}
	return lcpl;
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
	buf = (char *)malloc(len + 1);
	if (buf == NULL) {
		return 0;
	}
	memcpy(buf, path, len + 1);
	for (i = 1; i <= len && ok; i++) {
		if (buf[i] == '/' || buf[i] == '\0') {
			char saved = buf[i];
			buf[i] = '\0';
			if (H5Lexists(loc, buf, H5P_DEFAULT) <= 0) {
				ok = 0;
			}
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
	vmc_quiet();
	if (!path_exists(loc, path)) {
		return VMC_KIND_NONE;
	}
	if ((obj = H5Oopen(loc, path, H5P_DEFAULT)) < 0) {
		return -1;
	}
	t = H5Iget_type(obj);
	H5Oclose(obj);
	switch (t) {
	case H5I_GROUP:
		return VMC_KIND_GROUP;
	case H5I_DATASET:
		return VMC_KIND_DATASET;
	default:
		return VMC_KIND_OTHER;
	}
}

// check_parents fails, with a clear message, when a parent of path exists
// but is not a group (HDF5 itself says "message type not found").
static int check_parents(hid_t loc, const char *path, char *err) {
	size_t len = strlen(path), i;
	char *buf = (char *)malloc(len + 1);
	int ret = VMC_OK;
	if (buf == NULL) {
		seterr(err, "out of memory");
		return VMC_EFAIL;
	}
	memcpy(buf, path, len + 1);
	for (i = 1; i < len; i++) {
		if (buf[i] == '/') {
			int kind;
			buf[i] = '\0';
			kind = vmc_kind(loc, buf);
			if (kind == VMC_KIND_NONE) {
				break;
			}
			if (kind != VMC_KIND_GROUP) {
				seterr(err, "parent %s is not a group", buf);
				ret = VMC_EFAIL;
				break;
			}
			buf[i] = '/';
		}
	}
	free(buf);
	return ret;
}

int vmc_mkgroup(hid_t loc, const char *path, char *err) {
	int ret = VMC_EFAIL;
	hid_t lcpl = -1, g = -1;
	vmc_quiet();
	switch (vmc_kind(loc, path)) {
	case VMC_KIND_GROUP:
		return VMC_OK;
	case VMC_KIND_NONE:
		break;
	case -1:
		h5fail(err, "open object");
		return VMC_EFAIL;
	default:
		seterr(err, "exists and is not a group");
		return VMC_EFAIL;
	}
	if (check_parents(loc, path, err) != VMC_OK) goto done;
	if ((lcpl = link_create_plist()) < 0) H5FAIL("create property list");
	if ((g = H5Gcreate2(loc, path, lcpl, H5P_DEFAULT, H5P_DEFAULT)) < 0) H5FAIL("create group");
	ret = VMC_OK;
done:
	CLOSE(H5Gclose, g);
	CLOSE(H5Pclose, lcpl);
	return ret;
}

// open_dataset opens path as a dataset, distinguishing "not found".
static hid_t open_dataset(hid_t loc, const char *path, int *ret, char *err) {
	hid_t ds;
	switch (vmc_kind(loc, path)) {
	case VMC_KIND_DATASET:
		break;
	case VMC_KIND_NONE:
		seterr(err, "not found");
		*ret = VMC_ENOTFOUND;
		return -1;
	case -1:
		h5fail(err, "open object");
		*ret = VMC_EFAIL;
		return -1;
	default:
		seterr(err, "exists and is not a dataset");
		*ret = VMC_EFAIL;
		return -1;
	}
	if ((ds = H5Dopen2(loc, path, H5P_DEFAULT)) < 0) {
		h5fail(err, "open dataset");
		*ret = VMC_EFAIL;
	}
	return ds;
}

// ---------------------------------------------------------------- datasets

int vmc_dset_write(hid_t loc, const char *path, int code, int rank, const hsize_t *dims,
                   const void *buf, char *err) {
	int ret = VMC_EFAIL, i, kind;
	hid_t t = -1, ds = -1, ft = -1, sp = -1, lcpl = -1;
	hsize_t npts = 1;
	vmc_quiet();
	if (rank < 1 || rank > VMC_MAXRANK) {
		seterr(err, "rank %d out of range [1, %d]", rank, VMC_MAXRANK);
		return VMC_EFAIL;
	}
	for (i = 0; i < rank; i++) {
		npts *= dims[i];
	}
	if ((t = make_type(code)) < 0) H5FAIL("create datatype");
	kind = vmc_kind(loc, path);
	if (kind == -1) H5FAIL("open object");
	if (kind != VMC_KIND_NONE && kind != VMC_KIND_DATASET) FAILF("exists and is not a dataset");
	if (kind == VMC_KIND_DATASET) {
		// Same type and shape: write in place. Otherwise replace it.
		int same;
		if ((ds = H5Dopen2(loc, path, H5P_DEFAULT)) < 0) H5FAIL("open dataset");
		if ((ft = H5Dget_type(ds)) < 0) H5FAIL("get datatype");
		if ((sp = H5Dget_space(ds)) < 0) H5FAIL("get dataspace");
		same = H5Tequal(ft, t) > 0 && H5Sget_simple_extent_ndims(sp) == rank;
		if (same) {
			hsize_t cur[VMC_MAXRANK];
			if (H5Sget_simple_extent_dims(sp, cur, NULL) < 0) H5FAIL("get dimensions");
			for (i = 0; i < rank; i++) {
				if (cur[i] != dims[i]) {
					same = 0;
				}
			}
		}
		CLOSE(H5Tclose, ft);
		CLOSE(H5Sclose, sp);
		if (!same) {
			ret = close_dataset(ds, VMC_OK, err);
			ds = -1;
			if (ret != VMC_OK) goto done;
			ret = VMC_EFAIL;
			if (H5Ldelete(loc, path, H5P_DEFAULT) < 0) H5FAIL("delete old dataset");
		}
	}
	if (ds < 0) {
		if (check_parents(loc, path, err) != VMC_OK) goto done;
		if ((lcpl = link_create_plist()) < 0) H5FAIL("create property list");
		if ((sp = H5Screate_simple(rank, dims, NULL)) < 0) H5FAIL("create dataspace");
		if ((ds = H5Dcreate2(loc, path, t, sp, lcpl, H5P_DEFAULT, H5P_DEFAULT)) < 0) H5FAIL("create dataset");
	}
	if (npts > 0 && H5Dwrite(ds, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) H5FAIL("write");
	ret = VMC_OK;
done:
	ret = close_dataset(ds, ret, err);
	CLOSE(H5Sclose, sp);
	CLOSE(H5Tclose, ft);
	CLOSE(H5Tclose, t);
	CLOSE(H5Pclose, lcpl);
	return ret;
}

int vmc_dset_info(hid_t loc, const char *path, int *rank, hsize_t *dims, hsize_t *maxdims,
                  int *chunked, char *err) {
	int ret = VMC_EFAIL, r;
	hid_t ds = -1, sp = -1, dcpl = -1;
	vmc_quiet();
	if ((ds = open_dataset(loc, path, &ret, err)) < 0) {
		return ret;
	}
	ret = VMC_EFAIL;
	if ((sp = H5Dget_space(ds)) < 0) H5FAIL("get dataspace");
	if ((r = H5Sget_simple_extent_ndims(sp)) < 0) H5FAIL("get rank");
	if (r > VMC_MAXRANK) FAILF("rank %d exceeds %d", r, VMC_MAXRANK);
	if (H5Sget_simple_extent_dims(sp, dims, maxdims) < 0) H5FAIL("get dimensions");
	if ((dcpl = H5Dget_create_plist(ds)) < 0) H5FAIL("get creation properties");
	*chunked = H5Pget_layout(dcpl) == H5D_CHUNKED;
	*rank = r;
	ret = VMC_OK;
done:
	CLOSE(H5Pclose, dcpl);
	CLOSE(H5Sclose, sp);
	return close_dataset(ds, ret, err);
}

int vmc_dset_read(hid_t loc, const char *path, int code, void *buf, hsize_t n, char *err) {
	int ret = VMC_EFAIL;
	hid_t ds = -1, ft = -1, mt = -1, sp = -1;
	hssize_t npts;
	vmc_quiet();
	if ((ds = open_dataset(loc, path, &ret, err)) < 0) {
		return ret;
	}
	ret = VMC_EFAIL;
	if ((ft = H5Dget_type(ds)) < 0) H5FAIL("get datatype");
	if (check_type(ft, code, err) < 0) goto done;
	if ((sp = H5Dget_space(ds)) < 0) H5FAIL("get dataspace");
	if ((npts = H5Sget_simple_extent_npoints(sp)) < 0) H5FAIL("get size");
	if ((hsize_t)npts != n) FAILF("holds %lld values, buffer has %llu", (long long)npts, (unsigned long long)n);
	if ((mt = read_type(ft, code)) < 0) H5FAIL("create datatype");
	if (n > 0 && H5Dread(ds, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) H5FAIL("read");
	ret = VMC_OK;
done:
	CLOSE(H5Sclose, sp);
	CLOSE(H5Tclose, mt);
	CLOSE(H5Tclose, ft);
	return close_dataset(ds, ret, err);
}

// vmc_log_open opens the dataset at path for appending values of type code
// and returns it; a missing dataset is created, one-dimensional, empty,
// chunked by chunk rows and without maximum length. On failure it returns
// -1 with *ret set.
hid_t vmc_log_open(hid_t loc, const char *path, int code, hsize_t chunk, int *ret, char *err) {
	int kind;
	hid_t t = -1, ds = -1, ft = -1, sp = -1, lcpl = -1, dcpl = -1;
	vmc_quiet();
	*ret = VMC_EFAIL;
	kind = vmc_kind(loc, path);
	if (kind == -1) H5FAIL("open object");
	if (kind == VMC_KIND_NONE) {
		hsize_t zero = 0, unlimited = H5S_UNLIMITED;
		if (chunk < 1) chunk = 1;
		if (check_parents(loc, path, err) != VMC_OK) goto done;
		if ((t = make_type(code)) < 0) H5FAIL("create datatype");
		if ((lcpl = link_create_plist()) < 0) H5FAIL("create property list");
		if ((dcpl = H5Pcreate(H5P_DATASET_CREATE)) < 0) H5FAIL("create property list");
		if (H5Pset_chunk(dcpl, 1, &chunk) < 0) H5FAIL("set chunk size");
		if ((sp = H5Screate_simple(1, &zero, &unlimited)) < 0) H5FAIL("create dataspace");
		if ((ds = H5Dcreate2(loc, path, t, sp, lcpl, dcpl, H5P_DEFAULT)) < 0) H5FAIL("create dataset");
	} else if (kind == VMC_KIND_DATASET) {
		if ((ds = H5Dopen2(loc, path, H5P_DEFAULT)) < 0) H5FAIL("open dataset");
		if ((ft = H5Dget_type(ds)) < 0) H5FAIL("get datatype");
		if (check_type(ft, code, err) < 0) goto done;
		if ((sp = H5Dget_space(ds)) < 0) H5FAIL("get dataspace");
		if (H5Sget_simple_extent_ndims(sp) != 1) FAILF("is not one-dimensional");
	} else {
		FAILF("exists and is not a dataset");
	}
	*ret = VMC_OK;
done:
	if (*ret != VMC_OK && ds >= 0) {
		H5Dclose(ds);
		ds = -1;
	}
	CLOSE(H5Sclose, sp);
	CLOSE(H5Tclose, ft);
	CLOSE(H5Tclose, t);
	CLOSE(H5Pclose, dcpl);
	CLOSE(H5Pclose, lcpl);
	return ds;
}

// vmc_log_append appends n values of type code to the open one-dimensional
// dataset ds: it extends the dataset (H5Dset_extent) and writes the new rows
// through a hyperslab selection. A failed write shrinks it back.
int vmc_log_append(hid_t ds, int code, const void *buf, hsize_t n, char *err) {
	int ret = VMC_EFAIL, extended = 0;
	hid_t t = -1, sp = -1, ms = -1;
	hsize_t cur = 0, max = 0, newlen;
	vmc_quiet();
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
	vmc_quiet();
	return close_dataset(ds, VMC_OK, err);
}

// ---------------------------------------------------------------- attributes

// attr_replace checks that obj exists and removes its attribute name, if any.
static int attr_replace(hid_t loc, const char *obj, const char *name, char *err) {
	htri_t ex;
	if (!path_exists(loc, obj)) {
		seterr(err, "object %s not found", obj);
		return VMC_ENOTFOUND;
	}
	if ((ex = H5Aexists_by_name(loc, obj, name, H5P_DEFAULT)) < 0) {
		h5fail(err, "look up attribute");
		return VMC_EFAIL;
	}
	if (ex > 0 && H5Adelete_by_name(loc, obj, name, H5P_DEFAULT) < 0) {
		h5fail(err, "delete old attribute");
		return VMC_EFAIL;
	}
	return VMC_OK;
}

// attr_open opens an existing attribute, distinguishing "not found".
static hid_t attr_open(hid_t loc, const char *obj, const char *name, int *ret, char *err) {
	htri_t ex;
	hid_t a;
	*ret = VMC_EFAIL;
	if (!path_exists(loc, obj)) {
		seterr(err, "object %s not found", obj);
		*ret = VMC_ENOTFOUND;
		return -1;
	}
	if ((ex = H5Aexists_by_name(loc, obj, name, H5P_DEFAULT)) < 0) {
		h5fail(err, "look up attribute");
		return -1;
	}
	if (ex == 0) {
		seterr(err, "not found");
		*ret = VMC_ENOTFOUND;
		return -1;
	}
	if ((a = H5Aopen_by_name(loc, obj, name, H5P_DEFAULT, H5P_DEFAULT)) < 0) {
		h5fail(err, "open attribute");
		return -1;
	}
	return a;
}

int vmc_attr_write(hid_t loc, const char *obj, const char *name, int code, int rank,
                   hsize_t n, const void *buf, char *err) {
	int ret;
	hid_t t = -1, sp = -1, a = -1;
	vmc_quiet();
	if ((ret = attr_replace(loc, obj, name, err)) != VMC_OK) {
		return ret;
	}
	ret = VMC_EFAIL;
	if ((t = make_type(code)) < 0) H5FAIL("create datatype");
	if (rank == 0) {
		sp = H5Screate(H5S_SCALAR);
	} else {
		sp = H5Screate_simple(1, &n, NULL);
	}
	if (sp < 0) H5FAIL("create dataspace");
	if ((a = H5Acreate_by_name(loc, obj, name, t, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)) < 0) H5FAIL("create attribute");
	if ((rank == 0 || n > 0) && H5Awrite(a, t, buf) < 0) H5FAIL("write");
	ret = VMC_OK;
done:
	CLOSE(H5Aclose, a);
	CLOSE(H5Sclose, sp);
	CLOSE(H5Tclose, t);
	return ret;
}

int vmc_attr_write_str(hid_t loc, const char *obj, const char *name, const char *s,
                       char *err) {
	int ret;
	hid_t t = -1, sp = -1, a = -1;
	vmc_quiet();
	if ((ret = attr_replace(loc, obj, name, err)) != VMC_OK) {
		return ret;
	}
	ret = VMC_EFAIL;
	if ((t = H5Tcopy(H5T_C_S1)) < 0) H5FAIL("create datatype");
	if (H5Tset_size(t, H5T_VARIABLE) < 0) H5FAIL("set string size");
	if (H5Tset_cset(t, H5T_CSET_UTF8) < 0) H5FAIL("set character set");
	if ((sp = H5Screate(H5S_SCALAR)) < 0) H5FAIL("create dataspace");
	if ((a = H5Acreate_by_name(loc, obj, name, t, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)) < 0) H5FAIL("create attribute");
	if (H5Awrite(a, t, &s) < 0) H5FAIL("write");
	ret = VMC_OK;
done:
	CLOSE(H5Aclose, a);
	CLOSE(H5Sclose, sp);
	CLOSE(H5Tclose, t);
	return ret;
}

int vmc_attr_info(hid_t loc, const char *obj, const char *name, int *is_string,
                  hsize_t *npoints, char *err) {
	int ret;
	hid_t a = -1, ft = -1, sp = -1;
	hssize_t np;
	vmc_quiet();
	if ((a = attr_open(loc, obj, name, &ret, err)) < 0) {
		return ret;
	}
	ret = VMC_EFAIL;
	if ((ft = H5Aget_type(a)) < 0) H5FAIL("get datatype");
	if ((sp = H5Aget_space(a)) < 0) H5FAIL("get dataspace");
	if ((np = H5Sget_simple_extent_npoints(sp)) < 0) H5FAIL("get size");
	*is_string = H5Tget_class(ft) == H5T_STRING;
	*npoints = (hsize_t)np;
	ret = VMC_OK;
done:
	CLOSE(H5Sclose, sp);
	CLOSE(H5Tclose, ft);
	CLOSE(H5Aclose, a);
	return ret;
}

int vmc_attr_read(hid_t loc, const char *obj, const char *name, int code, void *buf,
                  hsize_t n, char *err) {
	int ret;
	hid_t a = -1, ft = -1, mt = -1, sp = -1;
	hssize_t np;
	vmc_quiet();
	if ((a = attr_open(loc, obj, name, &ret, err)) < 0) {
		return ret;
	}
	ret = VMC_EFAIL;
	if ((ft = H5Aget_type(a)) < 0) H5FAIL("get datatype");
	if (check_type(ft, code, err) < 0) goto done;
	if ((sp = H5Aget_space(a)) < 0) H5FAIL("get dataspace");
	if ((np = H5Sget_simple_extent_npoints(sp)) < 0) H5FAIL("get size");
	if ((hsize_t)np != n) FAILF("holds %lld values, want %llu", (long long)np, (unsigned long long)n);
	if ((mt = read_type(ft, code)) < 0) H5FAIL("create datatype");
	if (n > 0 && H5Aread(a, mt, buf) < 0) H5FAIL("read");
	ret = VMC_OK;
done:
	CLOSE(H5Sclose, sp);
	CLOSE(H5Tclose, mt);
	CLOSE(H5Tclose, ft);
	CLOSE(H5Aclose, a);
	return ret;
}

int vmc_attr_read_str(hid_t loc, const char *obj, const char *name, char **out, char *err) {
	int ret;
	hid_t a = -1, ft = -1, mt = -1, sp = -1;
	hssize_t np;
	char *vs = NULL, *fixed = NULL;
	vmc_quiet();
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
	if ((mt = H5Tcopy(ft)) < 0) H5FAIL("copy datatype");
	if (H5Tis_variable_str(ft) > 0) {
		size_t len;
		if (H5Aread(a, mt, &vs) < 0) H5FAIL("read");
		len = vs != NULL ? strlen(vs) : 0;
		if ((*out = (char *)malloc(len + 1)) == NULL) FAILF("out of memory");
		if (len > 0) memcpy(*out, vs, len);
		(*out)[len] = '\0';
	} else {
		size_t size = H5Tget_size(ft), len;
		if (size == 0) H5FAIL("get string size");
		if ((fixed = (char *)calloc(size + 1, 1)) == NULL) FAILF("out of memory");
		if (H5Aread(a, mt, fixed) < 0) H5FAIL("read");
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
	CLOSE(H5Tclose, mt);
	CLOSE(H5Tclose, ft);
	CLOSE(H5Aclose, a);
	return ret;
}

typedef struct {
	char *buf;
	size_t len, cap;
	int oom;
} namelist;

static herr_t name_cb(hid_t loc, const char *name, const H5A_info_t *info, void *data) {
	namelist *nl = (namelist *)data;
	size_t n = strlen(name) + 1;
	(void)loc;
	(void)info;
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

// vmc_attr_names returns the attribute names of obj, in name order, as a
// malloc'd block of NUL-terminated strings; the caller frees *out.
int vmc_attr_names(hid_t loc, const char *obj, char **out, size_t *outlen, char *err) {
	namelist nl;
	vmc_quiet();
	memset(&nl, 0, sizeof nl);
	*out = NULL;
	*outlen = 0;
	if (!path_exists(loc, obj)) {
		seterr(err, "object %s not found", obj);
		return VMC_ENOTFOUND;
	}
	if (H5Aiterate_by_name(loc, obj, H5_INDEX_NAME, H5_ITER_INC, NULL, name_cb, &nl, H5P_DEFAULT) < 0) {
		if (nl.oom) {
			seterr(err, "out of memory");
		} else {
			h5fail(err, "iterate attributes");
		}
		free(nl.buf);
		return VMC_EFAIL;
	}
	*out = nl.buf;
	*outlen = nl.len;
	return VMC_OK;
}

// vmc_open_ids stores the number of open identifiers of the file by kind:
// files, datasets, groups, named datatypes, attributes. For tests.
int vmc_open_ids(hid_t file, long long *counts) {
	static const unsigned kinds[5] = {H5F_OBJ_FILE, H5F_OBJ_DATASET, H5F_OBJ_GROUP,
	                                  H5F_OBJ_DATATYPE, H5F_OBJ_ATTR};
	int i;
	vmc_quiet();
	for (i = 0; i < 5; i++) {
		ssize_t n = H5Fget_obj_count(file, kinds[i] | H5F_OBJ_LOCAL);
		if (n < 0) {
			return VMC_EFAIL;
		}
		counts[i] = (long long)n;
	}
	return VMC_OK;
}

// ---------------------------------------------------------------- files

// vmc_file_create creates (truncating) the file at path for reading and
// writing; it returns the file or -1 with a message in err.
hid_t vmc_file_create(const char *path, char *err) {
	hid_t f;
	vmc_quiet();
	if ((f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT)) < 0) {
		h5fail(err, "create file");
	}
	return f;
}

// vmc_file_open opens the existing file at path, read-only or read-write.
hid_t vmc_file_open(const char *path, int readonly, char *err) {
	hid_t f;
	vmc_quiet();
	if ((f = H5Fopen(path, readonly ? H5F_ACC_RDONLY : H5F_ACC_RDWR, H5P_DEFAULT)) < 0) {
		h5fail(err, "open file");
	}
	return f;
}

// vmc_file_flush writes HDF5's cached data and metadata of the whole file.
int vmc_file_flush(hid_t f, char *err) {
	vmc_quiet();
	if (H5Fflush(f, H5F_SCOPE_GLOBAL) < 0) {
		h5fail(err, "flush");
		return VMC_EFAIL;
	}
	return VMC_OK;
}

// vmc_file_close closes the file identifier.
int vmc_file_close(hid_t f, char *err) {
	vmc_quiet();
	if (H5Fclose(f) < 0) {
		h5fail(err, "close file");
		return VMC_EFAIL;
	}
	return VMC_OK;
}

static herr_t link_cb(hid_t g, const char *name, const H5L_info_t *info, void *data) {
	(void)g;
	(void)info;
	return name_cb(-1, name, NULL, data);
}

// vmc_list returns the link names of the group at path, in name order, as a
// malloc'd block of NUL-terminated strings; the caller frees *out.
int vmc_list(hid_t loc, const char *path, char **out, size_t *outlen, char *err) {
	namelist nl;
	hsize_t idx = 0;
	vmc_quiet();
	memset(&nl, 0, sizeof nl);
	*out = NULL;
	*outlen = 0;
	switch (vmc_kind(loc, path)) {
	case VMC_KIND_GROUP:
		break;
	case VMC_KIND_NONE:
		seterr(err, "not found");
		return VMC_ENOTFOUND;
	default:
		seterr(err, "not a group");
		return VMC_EFAIL;
	}
	if (H5Literate_by_name(loc, path, H5_INDEX_NAME, H5_ITER_INC, &idx, link_cb, &nl, H5P_DEFAULT) < 0) {
		if (nl.oom) {
			seterr(err, "out of memory");
		} else {
			h5fail(err, "iterate links");
		}
		free(nl.buf);
		return VMC_EFAIL;
	}
	*out = nl.buf;
	*outlen = nl.len;
	return VMC_OK;
}
