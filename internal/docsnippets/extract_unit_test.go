package docsnippets

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestExtract(t *testing.T) {
	md := strings.Join([]string{
		"# Title",
		"```go",
		"x := 1",
		"```",
		"text",
		"- item",
		"  ```sh",
		"  go test ./...",
		"  ```",
		"````go",
		"```",
		"````",
		"```go",
		"package main",
		"```",
		"```output",
		"hi",
		"```",
		"```go",
		"unclosed",
	}, "\n")
	blocks := extract("f.md", md)
	require.Len(t, blocks, 6)
	assert.Equal(t, block{file: "f.md", line: 3, lang: "go", code: "x := 1\n"}, blocks[0])
	assert.Equal(t, "sh", blocks[1].lang)
	assert.Equal(t, "go test ./...\n", blocks[1].code, "de-indented by the fence's indent")
	assert.Equal(t, "```\n", blocks[2].code, "a shorter fence inside a longer one is code")
	assert.Equal(t, "unclosed\n", blocks[5].code)

	gos := goBlocks(blocks)
	require.Len(t, gos, 4)
	assert.Nil(t, gos[0].output)
	require.NotNil(t, gos[2].output)
	assert.Equal(t, "hi\n", gos[2].output.code)
}

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		code string
		want kind
	}{
		{"package main\n\nfunc main() {}\n", kindFile},
		{"// A comment first.\npackage shm_test\n", kindFile},
		{"func init() { proc.Register(\"x\", nil) }\n", kindDecls},
		{"type T struct{}\nvar v T\n", kindDecls},
		{"s := kernels.Sum(x)\n", kindStmts},
		{"var x []float64\nkernels.Sort(x)\n", kindStmts},
		{markStmts + "\nvar x int\n", kindStmts},
		{markDecls + "\nvar x int\n", kindDecls},
	} {
		assert.Equal(t, tc.want, classify(tc.code), "%q", tc.code)
	}
}

func TestImportsOf(t *testing.T) {
	code := "// fmt.Println in a comment\ns := \"os.Exit\"\nv := kernels.Sum(x); time.Sleep(0); _ = proc.Share; p.Close()\n"
	assert.Equal(t, []string{
		"github.com/sharc-go/sharc/kernels",
		"github.com/sharc-go/sharc/workers/proc",
		"time",
	}, importsOf(code))
}

func TestSourceStatements(t *testing.T) {
	src, err := source(block{file: "README.md", line: 7, code: "x := []float64{1, 2}\ns, t := kernels.Sum(x), 0\n"}, kindStmts)
	require.NoError(t, err)
	assert.Contains(t, src, "import \"context\"\n")
	assert.Contains(t, src, "import \"github.com/sharc-go/sharc/kernels\"\n")
	assert.Contains(t, src, "func _(ctx context.Context) error {\n//line README.md:7\nx := ")
	assert.Contains(t, src, "\t_ = x\n\t_ = s\n\t_ = t\n\treturn nil\n}\n")

	src, err = source(block{file: "a.md", line: 1, code: "ctx := context.Background()\nreturn ctx.Err()\n"}, kindStmts)
	require.NoError(t, err)
	assert.Contains(t, src, "func _() error {\n", "a block that declares ctx gets no ctx parameter")
	assert.NotContains(t, src, "return nil", "a block that ends in a return gets none added")

	_, err = source(block{file: "a.md", line: 1, code: "this is not Go {\n"}, kindStmts)
	require.ErrorContains(t, err, "a.md:1")
}
