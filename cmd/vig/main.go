// Command vig is Vig's single binary: `vig bot` (the worker), `vig
// dashboard` (the web service), `vig dev` (both locally), `vig migrate`,
// `vig version` and `vig help`.
package main

import (
	"context"
	"os"
)

func main() {
	os.Exit(run(context.Background(), os.Args, os.Getenv, os.Stdout, os.Stderr))
}
