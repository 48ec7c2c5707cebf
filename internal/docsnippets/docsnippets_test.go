package docsnippets

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// repoRoot is the repository root, seen from this package's folder.
const repoRoot = "../.."

// markdownFiles returns README.md and every .md file under docs/, relative
// to the root and slash-separated.
func markdownFiles(t *testing.T, root string) []string {
	t.Helper()
	files := []string{"README.md"}
	err := filepath.WalkDir(filepath.Join(root, "docs"), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(d.Name(), ".md") {
			rel, err := filepath.Rel(root, path)
			if err != nil {
				return err
			}
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	require.NoError(t, err)
	return files
}

// TestSnippetsCompile builds and vets every Go block of README.md and
// docs/**/*.md, and runs the programs that are followed by an output block.
func TestSnippetsCompile(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH")
	}
	root, err := filepath.Abs(repoRoot)
	require.NoError(t, err)
	if _, err := os.Stat(filepath.Join(root, "go.work")); err != nil {
		t.Skipf("no go.work at %s: not a checkout of the repository", root)
	}

	tmp := t.TempDir()
	write := func(rel, text string) {
		p := filepath.Join(tmp, rel)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
	}
	write("go.mod", "module sharc.test/snippets\n\ngo 1.26.0\n")
	write("go.work", fmt.Sprintf("go 1.26.0\n\nuse (\n\t.\n\t%q\n)\n", root))

	type program struct {
		dir string
		b   block
	}
	var programs []program
	n := 0
	for _, file := range markdownFiles(t, root) {
		text, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(file)))
		require.NoError(t, err)
		for _, b := range goBlocks(extract(file, string(text))) {
			k := classify(b.code)
			src, err := source(b, k)
			if err != nil {
				t.Error(err)
				continue
			}
			dir := fmt.Sprintf("b%03d", n)
			n++
			write(filepath.Join(dir, "snippet.go"), src)
			if b.output != nil {
				if k != kindFile || !strings.HasPrefix(firstCode(b.code), "package main") {
					t.Errorf("%s:%d: an output block follows a Go block that is not a program (package main)", b.file, b.line)
					continue
				}
				programs = append(programs, program{dir, b})
			}
		}
	}
	if n == 0 {
		t.Skip("no Go blocks")
	}
	t.Logf("%d Go blocks, %d programs to run", n, len(programs))

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	goCmd := func(args ...string) (stdout []byte, err error) {
		cmd := exec.CommandContext(ctx, gobin, args...)
		cmd.Dir = tmp
		cmd.Env = append(os.Environ(), "GOWORK="+filepath.Join(tmp, "go.work"), "GOFLAGS=")
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Run(); err != nil {
			return out.Bytes(), fmt.Errorf("go %s: %v\n%s%s", strings.Join(args, " "), err, out.Bytes(), errb.Bytes())
		}
		return out.Bytes(), nil
	}
	// -o bin/ keeps the executables of the programs, named after their folders.
	if _, err := goCmd("build", "-o", "bin"+string(filepath.Separator), "./..."); err != nil {
		t.Fatalf("a Go block in the docs does not compile:\n%v", err)
	}
	if _, err := goCmd("vet", "./..."); err != nil {
		t.Fatalf("go vet reports a Go block in the docs:\n%v", err)
	}
	for _, p := range programs {
		cmd := exec.CommandContext(ctx, filepath.Join(tmp, "bin", p.dir))
		cmd.Dir = tmp
		var errb bytes.Buffer
		cmd.Stderr = &errb
		out, err := cmd.Output()
		if err != nil {
			t.Errorf("%s:%d: the program fails: %v\n%s%s", p.b.file, p.b.line, err, out, errb.Bytes())
			continue
		}
		assert.Equalf(t, p.b.output.code, string(out), "%s:%d: the program's output differs from the output block at line %d", p.b.file, p.b.line, p.b.output.line)
	}
}

// firstCode returns the first line of code that is not blank or a comment.
func firstCode(code string) string {
	for l := range strings.SplitSeq(code, "\n") {
		l = strings.TrimSpace(l)
		if l != "" && !strings.HasPrefix(l, "//") {
			return l
		}
	}
	return ""
}
