package h5io

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// maxName is the longest file name that messages show in full; longer ones
// keep their start and end around "...".
const maxName = 120

// ShortName returns path as error messages show it: unchanged up to maxName
// bytes, else its first and last bytes around "...", so that a message
// stays one readable line whatever name a user gave.
func ShortName(path string) string {
	if len(path) <= maxName {
		return path
	}
	head, tail := path[:maxName/2-2], path[len(path)-maxName/2+1:]
	for len(head) > 0 && !utf8.ValidString(head) {
		head = head[:len(head)-1]
	}
	for len(tail) > 0 && !utf8.ValidString(tail) {
		tail = tail[1:]
	}
	return head + "..." + tail
}

// maxMsg bounds the length of a message taken from HDF5.
const maxMsg = 240

var (
	// "file read failed: time = ..., filename = '...', file descriptor = 5,
	// errno = 21, error message = 'Is a directory', buf = 0x..., ...": the
	// details start at the first of these keys; the cause is the error
	// message.
	reDetail  = regexp.MustCompile(`[,:]?\s*(time|name|filename|errno|file descriptor|tent_flags) = `)
	reErrno   = regexp.MustCompile(`error message = '([^']*)'`)
	reTrunc   = regexp.MustCompile(`truncated file: eof = (\d+), sblock->base_addr = \d+, stored_eof = (\d+)`)
	reAddress = regexp.MustCompile(`,?\s*\w+ = 0x[0-9a-fA-F]+`)
)

// tidy turns a message built from the HDF5 error stack into one short line:
// the system's error message instead of HDF5's dump of the failed read or
// write (time, file name, descriptor, buffer address, sizes), no line
// breaks, at most maxMsg bytes.
func tidy(msg string) string {
	msg = reTrunc.ReplaceAllString(msg, "truncated file ($1 of $2 bytes)")
	if m := reErrno.FindStringSubmatch(msg); m != nil {
		if loc := reDetail.FindStringIndex(msg); loc != nil && loc[0] < strings.Index(msg, m[0]) {
			msg = fmt.Sprintf("%s: %s", strings.TrimRight(msg[:loc[0]], ",: "), m[1])
		}
	}
	if loc := reDetail.FindStringIndex(msg); loc != nil {
		msg = strings.TrimRight(msg[:loc[0]], ",: ")
	}
	msg = reAddress.ReplaceAllString(msg, "")
	msg = strings.Join(strings.Fields(msg), " ")
	if len(msg) > maxMsg {
		msg = msg[:maxMsg-3]
		for !utf8.ValidString(msg) {
			msg = msg[:len(msg)-1]
		}
		msg += "..."
	}
	return msg
}
