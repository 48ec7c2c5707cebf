package main

import (
	"encoding/json"
	"io"
)

// writeJSONLines writes each row as one JSON object on a line of its own,
// the form every subcommand's -json flag promises.
func writeJSONLines[T any](w io.Writer, rows []T) error {
	enc := json.NewEncoder(w)
	for _, r := range rows {
		if err := enc.Encode(r); err != nil {
			return err
		}
	}
	return nil
}
