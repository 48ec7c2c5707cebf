package docsnippets

import (
	"bufio"
	"strings"
)

// A block is one fenced code block of a Markdown file.
type block struct {
	file   string // path relative to the repository root, slash-separated
	line   int    // line of the first line of code (after the opening fence)
	lang   string // first word of the info string: "go", "sh", "output", …
	code   string // the lines between the fences, de-indented by the fence's indent
	output *block // for a program: the "output" block that follows it, if any
}

// extract returns the fenced code blocks of a Markdown text, in order.
// A fence is three or more backticks (or tildes), possibly indented, as in a
// list item; the block ends at a fence of the same character at least as
// long. A fence never closed ends the block at the end of the text.
func extract(file, text string) []block {
	var (
		blocks []block
		cur    *block
		fence  string // the opening fence's run of ` or ~
		indent int
		code   strings.Builder
	)
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		trimmed := strings.TrimLeft(line, " \t")
		if cur == nil {
			if f := fenceOf(trimmed); f != "" {
				fence, indent = f, len(line)-len(trimmed)
				info := strings.Fields(strings.TrimSpace(trimmed[len(f):]))
				cur = &block{file: file, line: n + 1}
				if len(info) > 0 {
					cur.lang = strings.ToLower(info[0])
				}
				code.Reset()
			}
			continue
		}
		if f := fenceOf(trimmed); f != "" && f[0] == fence[0] && len(f) >= len(fence) && strings.TrimSpace(trimmed[len(f):]) == "" {
			cur.code = code.String()
			blocks = append(blocks, *cur)
			cur = nil
			continue
		}
		code.WriteString(dedent(line, indent))
		code.WriteByte('\n')
	}
	if cur != nil {
		cur.code = code.String()
		blocks = append(blocks, *cur)
	}
	return blocks
}

// fenceOf returns the run of ` or ~ that opens s when it is a code fence
// (three or more), or "".
func fenceOf(s string) string {
	if len(s) < 3 || (s[0] != '`' && s[0] != '~') {
		return ""
	}
	i := 0
	for i < len(s) && s[i] == s[0] {
		i++
	}
	if i < 3 {
		return ""
	}
	return s[:i]
}

// dedent removes up to n leading spaces or tabs from line.
func dedent(line string, n int) string {
	i := 0
	for i < n && i < len(line) && (line[i] == ' ' || line[i] == '\t') {
		i++
	}
	return line[i:]
}

// goBlocks returns the Go blocks among blocks, each program linked to the
// "output" block that directly follows it.
func goBlocks(blocks []block) []block {
	var out []block
	for i, b := range blocks {
		if b.lang != "go" {
			continue
		}
		if i+1 < len(blocks) && blocks[i+1].lang == "output" {
			b.output = &blocks[i+1]
		}
		out = append(out, b)
	}
	return out
}
