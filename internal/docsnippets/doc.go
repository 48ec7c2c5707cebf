// Package docsnippets checks that the Go code shown in README.md and under
// docs/ compiles, so that a stale snippet fails the tests instead of a
// reader. It has no API; everything is in its tests.
//
// Every fenced block whose info string starts with "go" is checked; blocks
// that are deliberately not Go use another language (sh, text, …). A block
// is one of:
//
//   - a complete file, starting with a package clause (comments may come
//     first); a "package main" block is a program;
//   - declarations (functions, types, variables) without a package clause;
//   - statements, wrapped in a function that has ctx (a context.Context)
//     in scope; variables they declare at the top level count as used.
//
// Declarations and statements get their imports from the standard library
// and sharc packages they name. A first line "// sharc:fragment" or
// "// sharc:decls" forces statements or declarations when the guess is
// wrong. A program block followed by a block fenced as "output" is also run,
// and its standard output must equal that block.
//
// The test builds every block in one temporary module inside a workspace
// that uses the repository's root module, then runs go vet on it. It is
// skipped when the go command is not on PATH.
package docsnippets
