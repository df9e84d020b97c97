package kms

import (
	"fmt"
	"strings"

	api "github.com/palisade/palisade/internal/api/kms"
	"github.com/palisade/palisade/internal/auth"
	"github.com/palisade/palisade/internal/server"
	"github.com/palisade/palisade/internal/store"
)

// managedServices are the services whose AWS managed keys (alias/aws/<name>) KMS
// creates on first use, with the endpoint prefix kms:ViaService names for each.
var managedServices = map[string]string{
	"s3": "s3", "ebs": "ec2", "rds": "rds", "lambda": "lambda", "sns": "sns", "sqs": "sqs",
	"secretsmanager": "secretsmanager", "ssm": "ssm", "dynamodb": "dynamodb", "logs": "logs",
	"kinesis": "kinesis", "elasticfilesystem": "elasticfilesystem", "backup": "backup",
	"redshift": "redshift", "es": "es", "glue": "glue", "athena": "athena", "cloudtrail": "cloudtrail",
}

// managedRotationDays is the fixed rotation period of AWS managed keys: one year.
const managedRotationDays = 365

// managedService tells whether an alias is a predefined AWS alias, and of which service.
func managedService(alias string) (string, bool) {
	name, ok := strings.CutPrefix(alias, "alias/aws/")
	if !ok {
		return "", false
	}
	_, known := managedServices[name]
	return name, known
}

// managedKey returns the account's AWS managed key of a service, creating it (and its
// alias) on first use. Its policy lets every principal of the account use it through
// that service only, and the account read its metadata: customers cannot manage it.
func (k *KMS) managedKey(c *server.Call, svc string) (*keyRec, error) {
	alias := "alias/aws/" + svc
	if a, err := load[aliasRec](c.Tx, ns(c.Account, c.Region, tAliases), alias); err != nil {
		return nil, err
	} else if a != nil {
		return k.loadKey(c.Tx, c.Account, c.Region, a.KeyID, c.Now)
	}
	if c.Tx.ReadOnly() {
		k.createMu.Lock()
		defer k.createMu.Unlock()
	}
	var out *keyRec
	err := k.update(c, func(tx *store.Tx) error {
		// Another call may have created it since our snapshot.
		if a, err := load[aliasRec](tx, ns(c.Account, c.Region, tAliases), alias); err != nil {
			return err
		} else if a != nil {
			r, err := k.loadKey(tx, c.Account, c.Region, a.KeyID, c.Now)
			out = r
			return err
		}
		now := keyTime(c.Now)
		r := &keyRec{
			ID: auth.NewUUID(), Account: c.Account, Region: c.Region, Created: now,
			Description: "Default key that protects my " + managedDescription(svc) + " when no other key is defined",
			Usage:       api.KeyUsageTypeENCRYPTDECRYPT, Spec: api.KeySpecSYMMETRICDEFAULT, Origin: originKMS,
			Manager: managerAWS, State: stateEnabled,
			Rotation: &rotationRec{PeriodDays: managedRotationDays, Next: now.AddDate(0, 0, managedRotationDays)},
		}
		r.Policy = managedPolicy(c.Account, c.Region, svc)
		m := k.newMaterial(r, randomBytes(32), now, "")
		r.Materials, r.Current = []material{m}, m.ID
		if err := k.putKey(tx, r); err != nil {
			return err
		}
		if err := tx.PutJSON(ns(c.Account, c.Region, tAliases), alias, aliasRec{Name: alias, KeyID: r.ID, Created: now, Updated: now}); err != nil {
			return err
		}
		if err := k.schedule(tx, r.Rotation.Next, r, jobRotate); err != nil {
			return err
		}
		out = r
		return nil
	})
	return out, err
}

func managedDescription(svc string) string {
	switch svc {
	case "s3":
		return "S3 objects"
	case "ebs":
		return "EBS volumes"
	case "rds":
		return "RDS database"
	case "lambda":
		return "Lambda functions"
	}
	return svc + " data"
}

// managedPolicy is the key policy AWS gives an AWS managed key: use through the
// service by any principal of the account, metadata to the account.
func managedPolicy(account, region, svc string) string {
	via := managedServices[svc] + "." + region + ".amazonaws.com"
	return fmt.Sprintf(`{
  "Version" : "2012-10-17",
  "Id" : "auto-%s-2",
  "Statement" : [ {
    "Sid" : "Allow access through %s for all principals in the account that are authorized to use %s",
    "Effect" : "Allow",
    "Principal" : {
      "AWS" : "*"
    },
    "Action" : [ "kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:CreateGrant", "kms:DescribeKey" ],
    "Resource" : "*",
    "Condition" : {
      "StringEquals" : {
        "kms:ViaService" : "%s",
        "kms:CallerAccount" : "%s"
      }
    }
  }, {
    "Sid" : "Allow direct access to key metadata to the account",
    "Effect" : "Allow",
    "Principal" : {
      "AWS" : "arn:aws:iam::%s:root"
    },
    "Action" : [ "kms:Describe*", "kms:Get*", "kms:List*" ],
    "Resource" : "*"
  } ]
}`, svc, strings.ToUpper(svc), strings.ToUpper(svc), via, account, account)
}

// defaultPolicy is the key policy CreateKey gives a key when the request has none:
// the account's root gets full access, so IAM policies decide (the Developer Guide's
// "Default key policy", as GetKeyPolicy prints it).
func defaultPolicy(account string) string {
	return `{
  "Version" : "2012-10-17",
  "Id" : "key-default-1",
  "Statement" : [ {
    "Sid" : "Enable IAM User Permissions",
    "Effect" : "Allow",
    "Principal" : {
      "AWS" : "arn:aws:iam::` + account + `:root"
    },
    "Action" : "kms:*",
    "Resource" : "*"
  } ]
}`
}
