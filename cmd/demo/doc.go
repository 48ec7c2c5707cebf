// Command demo is sharc's demo binary: a tour of the library and one
// subcommand per capability.
//
// Usage:
//
//	demo                 the tour (under a minute)
//	demo <subcommand> [flags]
//	demo help
package main
