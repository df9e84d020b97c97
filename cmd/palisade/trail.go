package main

import (
	"crypto/rsa"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/palisade/palisade/internal/service/cloudtrail"
)

func init() { addCommand(newTrailCmd()) }

func newTrailCmd() *cobra.Command {
	trail := &cobra.Command{Use: "trail", Short: "CloudTrail tools", SilenceUsage: true, SilenceErrors: true}
	var keysFile string
	validate := &cobra.Command{
		Use:   "validate DIR",
		Short: "Validate downloaded CloudTrail log and digest files offline",
		Long: `Validate CloudTrail log files and digest files downloaded from a trail's bucket
(aws s3 cp --recursive s3://BUCKET DIR), as aws cloudtrail validate-logs does online:
every digest's signature, the chain of digests, and the SHA-256 of every log file a
digest lists. A modified, deleted or forged file is reported INVALID and the command
exits with status 1.

--public-keys is the output of aws cloudtrail list-public-keys (JSON) covering the
period; without it signatures are not checked. A download keeps no object metadata:
each digest's signature is taken from the next digest of its chain, and the newest
digest's from DIGEST.sig beside it when present (the x-amz-meta-signature value, e.g.
aws s3api head-object --bucket B --key K --query Metadata.signature --output text).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			pub, err := loadKeys(keysFile)
			if err != nil {
				return err
			}
			rep, err := cloudtrail.Validate(os.DirFS(args[0]), pub)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			for _, r := range rep.Results {
				kind := "Log file"
				if r.Kind == "digest" {
					kind = "Digest file"
				}
				if r.Valid {
					fmt.Fprintf(out, "%s\t%s\tvalid\n", kind, r.Key)
				} else {
					fmt.Fprintf(out, "%s\t%s\tINVALID: %s\n", kind, r.Key, r.Reason)
				}
			}
			for _, n := range rep.Notes {
				fmt.Fprintln(out, n)
			}
			fmt.Fprintln(out)
			for _, kind := range []string{"digest", "log"} {
				inv, total := rep.Invalid(kind)
				if total == 0 {
					fmt.Fprintf(out, "No %s files found\n", kind)
					continue
				}
				fmt.Fprintf(out, "%d/%d %s files valid", total-inv, total, kind)
				if inv > 0 {
					fmt.Fprintf(out, ", %d/%d %s files INVALID", inv, total, kind)
				}
				fmt.Fprintln(out)
			}
			if !rep.OK() {
				return errInvalid
			}
			return nil
		},
	}
	validate.Flags().StringVar(&keysFile, "public-keys", "", "JSON output of aws cloudtrail list-public-keys")
	trail.AddCommand(validate)
	return trail
}

var errInvalid = errors.New("invalid files found")

// loadKeys reads the public keys file; "" means none.
func loadKeys(path string) (map[string]*rsa.PublicKey, error) {
	if path == "" {
		return nil, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return cloudtrail.ParsePublicKeys(b)
}
