package docsnippets

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/scanner"
	"go/token"
	"slices"
	"strings"
)

// kind is how a Go block is turned into a file.
type kind int

const (
	kindFile  kind = iota // a complete file, package clause included
	kindDecls             // top-level declarations
	kindStmts             // statements, wrapped in a function
)

func (k kind) String() string { return [...]string{"file", "declarations", "statements"}[k] }

// Markers that force a kind, as the first line of a block.
const (
	markStmts = "// sharc:fragment"
	markDecls = "// sharc:decls"
)

// classify tells what a block's code is: a marker decides; otherwise a
// package clause makes it a file, code that parses as declarations is
// declarations, and anything else is statements.
func classify(code string) kind {
	switch firstLine(code) {
	case markStmts:
		return kindStmts
	case markDecls:
		return kindDecls
	}
	fset := token.NewFileSet()
	if _, err := parser.ParseFile(fset, "", code, parser.PackageClauseOnly); err == nil {
		return kindFile
	}
	if _, err := parser.ParseFile(fset, "", "package p\n"+code, parser.SkipObjectResolution); err == nil {
		return kindDecls
	}
	return kindStmts
}

// firstLine returns the first non-blank line of code, trimmed.
func firstLine(code string) string {
	for l := range strings.SplitSeq(code, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			return l
		}
	}
	return ""
}

// knownImports maps the package names a declaration or statement block may
// use without importing them to their import paths.
var knownImports = map[string]string{
	"atomic":  "sync/atomic",
	"binary":  "encoding/binary",
	"bufio":   "bufio",
	"bytes":   "bytes",
	"context": "context",
	"errors":  "errors",
	"fmt":     "fmt",
	"http":    "net/http",
	"io":      "io",
	"iter":    "iter",
	"json":    "encoding/json",
	"kernels": "github.com/sharc-go/sharc/kernels",
	"log":     "log",
	"math":    "math",
	"os":      "os",
	"proc":    "github.com/sharc-go/sharc/workers/proc",
	"rand":    "math/rand/v2",
	"runtime": "runtime",
	"shm":     "github.com/sharc-go/sharc/shm",
	"slices":  "slices",
	"sort":    "sort",
	"strconv": "strconv",
	"strings": "strings",
	"sync":    "sync",
	"time":    "time",
	"unsafe":  "unsafe",
	"workers": "github.com/sharc-go/sharc/workers",
}

// importsOf returns the import paths of the known packages that code names
// as pkg.Name (outside comments and strings), sorted.
func importsOf(code string) []string {
	var s scanner.Scanner
	fset := token.NewFileSet()
	s.Init(fset.AddFile("", -1, len(code)), []byte(code), nil, 0)
	seen := map[string]bool{}
	prev := ""
	for {
		_, tok, lit := s.Scan()
		if tok == token.EOF {
			break
		}
		if tok == token.PERIOD && prev != "" {
			if path, ok := knownImports[prev]; ok {
				seen[path] = true
			}
		}
		prev = ""
		if tok == token.IDENT {
			prev = lit
		}
	}
	paths := make([]string, 0, len(seen))
	for p := range seen {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	return paths
}

// source returns the Go file for block b of kind k. A //line directive
// maps the block's code back to its Markdown file, so compiler and vet
// messages name README.md or docs/… and the line there.
func source(b block, k kind) (string, error) {
	directive := fmt.Sprintf("//line %s:%d\n", b.file, b.line)
	if k == kindFile {
		return directive + b.code, nil
	}
	var src strings.Builder
	src.WriteString("package snippet\n\n")
	switch k {
	case kindDecls:
		writeImports(&src, importsOf(b.code))
		src.WriteString(directive)
		src.WriteString(b.code)
	case kindStmts:
		names, endsInReturn, err := topLevel(b.code)
		if err != nil {
			return "", fmt.Errorf("%s:%d: %v", b.file, b.line, err)
		}
		imports := importsOf(b.code)
		ownCtx := slices.Contains(names, "ctx")
		if !ownCtx && !slices.Contains(imports, "context") {
			imports = append(imports, "context")
			slices.Sort(imports)
		}
		writeImports(&src, imports)
		if ownCtx {
			src.WriteString("func _() error {\n")
		} else {
			src.WriteString("func _(ctx context.Context) error {\n")
		}
		src.WriteString(directive)
		src.WriteString(b.code)
		src.WriteString("\n//line wrapper:1\n")
		for _, n := range names {
			fmt.Fprintf(&src, "\t_ = %s\n", n)
		}
		if !endsInReturn {
			src.WriteString("\treturn nil\n")
		}
		src.WriteString("}\n")
	}
	return src.String(), nil
}

func writeImports(w *strings.Builder, paths []string) {
	for _, p := range paths {
		fmt.Fprintf(w, "import %q\n", p)
	}
	w.WriteString("\n")
}

// topLevel parses statements and returns the names they declare at their
// top level (so that the wrapper can mark them used) and whether the last
// statement is a return.
func topLevel(code string) (names []string, endsInReturn bool, err error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", "package p\nfunc _() {\n"+code+"\n}\n", parser.SkipObjectResolution)
	if err != nil {
		return nil, false, fmt.Errorf("not Go statements, declarations or a file: %v", err)
	}
	body := f.Decls[0].(*ast.FuncDecl).Body.List
	add := func(id *ast.Ident) {
		if id.Name != "_" && !slices.Contains(names, id.Name) {
			names = append(names, id.Name)
		}
	}
	for _, st := range body {
		switch st := st.(type) {
		case *ast.AssignStmt:
			if st.Tok == token.DEFINE {
				for _, e := range st.Lhs {
					if id, ok := e.(*ast.Ident); ok {
						add(id)
					}
				}
			}
		case *ast.DeclStmt:
			if gd, ok := st.Decl.(*ast.GenDecl); ok && gd.Tok == token.VAR {
				for _, sp := range gd.Specs {
					for _, id := range sp.(*ast.ValueSpec).Names {
						add(id)
					}
				}
			}
		}
	}
	if len(body) > 0 {
		_, endsInReturn = body[len(body)-1].(*ast.ReturnStmt)
	}
	return names, endsInReturn, nil
}
