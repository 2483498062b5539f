//go:build !purego

package sr

import (
	"os"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

// TestKernelSelection checks the kernel choice against the CPU flags that
// Linux reports in /proc/cpuinfo (listed only when the kernel also enables
// the register state): AVX-512 first, then AVX2 with FMA, else Go.
func TestKernelSelection(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc/cpuinfo")
	}
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		t.Skip(err)
	}
	flags := map[string]bool{}
	for line := range strings.Lines(string(b)) {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "flags" {
			for _, f := range strings.Fields(v) {
				flags[f] = true
			}
			break
		}
	}
	avx512 := flags["avx512f"]
	avx2fma := flags["avx2"] && flags["fma"]
	if _, ok := kernels["avx512"]; ok != avx512 {
		t.Errorf("avx512 kernel registered: %v, /proc/cpuinfo avx512f: %v", ok, avx512)
	}
	if _, ok := kernels["avx2"]; ok != avx2fma {
		t.Errorf("avx2 kernel registered: %v, /proc/cpuinfo avx2 and fma: %v", ok, avx2fma)
	}
	want, wantName := kernelFunc(kernGo), "go"
	switch {
	case avx512:
		want, wantName = kernelAVX512, "avx512"
	case avx2fma:
		want, wantName = kernelAVX2, "avx2"
	}
	if reflect.ValueOf(kernel).Pointer() != reflect.ValueOf(want).Pointer() {
		t.Errorf("kernel in use is not %s", wantName)
	}
	vec := reflect.ValueOf(dot4).Pointer() == reflect.ValueOf(dot4Vec).Pointer()
	if vec != avx512 {
		t.Errorf("AVX-512 vector kernels in use: %v, want %v", vec, avx512)
	}
}
