// Command aezip encodes, decodes and inspects aezip images and models.
//
// Usage:
//
//	aezip encode [-q Q | -bpp B | -psnr P] [-model FILE] [-f] INPUT OUTPUT
//	aezip decode [-model FILE] [-f] INPUT OUTPUT
//	aezip info [-json] FILE
//	aezip model import DUMP OUT.aezm
//	aezip model info FILE
//	aezip help [COMMAND]
//
// INPUT or OUTPUT "-" is standard input or output. An existing OUTPUT is
// never replaced without -f, and files are written atomically (a temporary
// file in the same directory, renamed into place once complete). Any error
// prints one line to standard error and exits with status 1 (2 for usage
// errors).
package main

// This file implements the command dispatch and its error reporting.

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// env is what a command may touch: its streams. Commands never call os.Exit
// and never read os.Stdin/os.Stdout directly, so tests run them in-process.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

// command is one subcommand.
type command struct {
	summary string
	usage   string // the argument synopsis after "aezip NAME"
	run     func(e *env, args []string) error
}

// commands is filled by the files implementing each command (init), so that
// optional commands (bench, serve) are added where their packages exist.
var commands = map[string]*command{}

// usageError is an error in the command line: exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		mainUsage(stderr)
		return 2
	}
	name, rest := args[0], args[1:]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(rest) > 0 {
			if c, ok := commands[rest[0]]; ok {
				commandUsage(stdout, rest[0], c)
				return 0
			}
			fmt.Fprintf(stderr, "aezip: unknown command %q\n", rest[0])
			return 2
		}
		mainUsage(stdout)
		return 0
	}
	c, ok := commands[name]
	if !ok {
		fmt.Fprintf(stderr, "aezip: unknown command %q (run 'aezip help')\n", name)
		return 2
	}
	err := c.run(e, rest)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	}
	fmt.Fprintf(stderr, "aezip %s: %s\n", name, oneLine(err.Error()))
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "usage: aezip %s %s\n", name, c.usage)
		return 2
	}
	return 1
}

// oneLine keeps error messages to one line, whatever a wrapped error says.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func mainUsage(w io.Writer) {
	fmt.Fprintln(w, "aezip is a learned lossy image codec.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage: aezip COMMAND [ARGUMENTS]")
	fmt.Fprintln(w)
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-8s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, `Run "aezip help COMMAND" or "aezip COMMAND -h" for details. "-" is standard input/output.`)
}

func commandUsage(w io.Writer, name string, c *command) {
	fmt.Fprintf(w, "usage: aezip %s %s\n\n%s\n", name, c.usage, c.summary)
}

// newFlags returns a flag set that reports errors instead of exiting;
// parseFlags prints the help.
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("aezip "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parseFlags parses args; on -h it prints the command's help and flags to
// stdout and returns flag.ErrHelp.
func parseFlags(e *env, fs *flag.FlagSet, name string, args []string) error {
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		c := commands[name]
		commandUsage(e.stdout, name, c)
		fs.SetOutput(e.stdout)
		fmt.Fprintln(e.stdout)
		fs.PrintDefaults()
		return flag.ErrHelp
	}
	if err != nil {
		return usagef("%v", err)
	}
	return nil
}
