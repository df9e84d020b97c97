// Command palisade is AWS's security services, self-hosted: `palisade serve` runs the
// server; the other subcommands are offline tools (policy evaluation, trail validation)
// and clients of the admin API.
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

// rootCmd is the top of the command tree. Each subcommand lives in its own file and
// adds itself with addCommand from an init function, so adding one touches no other file.
var rootCmd = &cobra.Command{
	Use:           "palisade",
	Short:         "AWS's security services, self-hosted, in one binary",
	SilenceUsage:  true,
	SilenceErrors: true,
}

func addCommand(c *cobra.Command) { rootCmd.AddCommand(c) }

func main() {
	if err := rootCmd.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "palisade:", err)
		os.Exit(1)
	}
}
