package testutil

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestRequireTool runs RequireTool in a child test process (so that its
// Skip or Fatal can be observed) for a present tool, a missing one, and a
// present tool whose check fails, with and without CI=true.
func TestRequireTool(t *testing.T) {
	if name := os.Getenv("TESTUTIL_CHILD"); name != "" {
		var check []string
		if name == "sh-false" {
			name, check = "sh", []string{"-c", "exit 3"}
		}
		path := RequireTool(t, name, check...)
		t.Logf("found %s", path)
		return
	}
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("needs sh")
	}
	for i, tc := range []struct {
		tool, ci string
		want     string // in the child's verbose output
		fail     bool
	}{
		{"sh", "", "--- PASS", false},
		{"sh", "true", "--- PASS", false},
		{"no-such-tool-vmc", "", "--- SKIP", false},
		{"no-such-tool-vmc", "false", "--- SKIP", false},
		{"no-such-tool-vmc", "true", "--- FAIL", true},
		{"no-such-tool-vmc", "1", "--- FAIL", true},
		{"sh-false", "", "--- SKIP", false},
		{"sh-false", "true", "--- FAIL", true},
	} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestRequireTool$", "-test.v")
		cmd.Env = append(os.Environ(), "TESTUTIL_CHILD="+tc.tool, "CI="+tc.ci)
		out, err := cmd.CombinedOutput()
		if (err != nil) != tc.fail || !strings.Contains(string(out), tc.want) {
			t.Errorf("case %d (%s, CI=%q): err %v, want failure %v and %q in:\n%s", i, tc.tool, tc.ci, err, tc.fail, tc.want, out)
		}
	}
}
