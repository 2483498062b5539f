// Copyright: part of the vmc module. C helpers for package h5io.
//
// Every function here opens the HDF5 objects it needs and closes all of them
// on every path (success or failure), except vmc_log_open, which returns an
// open dataset for vmc_log_append and vmc_dataset_close. On failure they
// write a message into err (VMC_ERRLEN bytes) taken from the HDF5 error
// stack at the point of failure. Values are passed as a buffer with an
// element type code: one function per operation serves every type.

#ifndef VMC_H5IO_SHIM_H
#define VMC_H5IO_SHIM_H

#include <stddef.h>
#include "hdf5.h"

#define VMC_ERRLEN 512
#define VMC_MAXRANK 8

// Return codes.
#define VMC_OK 0
#define VMC_EFAIL -1     // HDF5 or validation error, see err
#define VMC_ENOTFOUND -2 // the object or attribute does not exist

// Element type codes shared with the Go side.
enum {
	VMC_F64 = 1,
	VMC_I64 = 2,
	VMC_I8 = 3,
	VMC_U64 = 4,
	VMC_C128 = 5, // compound {double r; double i;}, 16 bytes
	VMC_BOOL = 6, // enum of int8 {FALSE = 0, TRUE = 1}, as h5py writes bool
	VMC_STR = 7,  // variable-length UTF-8 string; the buffer holds a char *
};

// Object kinds reported by vmc_kind.
#define VMC_KIND_NONE 0
#define VMC_KIND_GROUP 1
#define VMC_KIND_DATASET 2
#define VMC_KIND_OTHER 3

// File modes of vmc_file_open.
enum { VMC_CREATE = 0, VMC_RDONLY = 1, VMC_RDWR = 2 };

int vmc_kind(hid_t loc, const char *path);
int vmc_mkgroup(hid_t loc, const char *path, char *err);
int vmc_names(hid_t loc, const char *path, int attrs, char **out, size_t *outlen, char *err);

int vmc_dset_write(hid_t loc, const char *path, int code, int rank, const hsize_t *dims,
                   const void *buf, char *err);
int vmc_dset_info(hid_t loc, const char *path, int *rank, hsize_t *dims, char *err);
int vmc_dset_read(hid_t loc, const char *path, int code, void *buf, hsize_t n, char *err);
hid_t vmc_log_open(hid_t loc, const char *path, int code, hsize_t chunk, int *ret, char *err);
int vmc_log_append(hid_t ds, int code, const void *buf, hsize_t n, char *err);
int vmc_dataset_close(hid_t ds, char *err);

int vmc_attr_write(hid_t loc, const char *obj, const char *name, int code, int rank,
                   hsize_t n, const void *buf, char *err);
int vmc_attr_len(hid_t loc, const char *obj, const char *name, hsize_t *n, char *err);
int vmc_attr_read(hid_t loc, const char *obj, const char *name, int code, void *buf,
                  hsize_t n, char *err);
int vmc_attr_read_str(hid_t loc, const char *obj, const char *name, char **out, char *err);

hid_t vmc_file_open(const char *path, int mode, char *err);
int vmc_file_flush(hid_t f, char *err);
int vmc_file_close(hid_t f, char *err);
int vmc_open_ids(hid_t file, long long *counts);

#endif
