// Package policy is Palisade's IAM policy engine: AWS's policy language and
// evaluation logic, pure Go, no I/O and no clock.
//
// Documents are parsed, validated and compiled once (Parse), with IAM's own
// MalformedPolicyDocument messages for what IAM rejects. Compiled policies are
// immutable and safe for concurrent use; the server caches them by document hash
// and groups a principal's identity-based policies (NewGroup) so one index serves
// them all. A decision (Evaluate, or EvaluateInto to reuse a Result without
// allocating) follows the IAM User Guide's "Policy evaluation logic": explicit
// denies, RCPs, SCPs, VPC endpoint policies, resource-based policies with their
// same-account principal rules, identity-based policies, permissions boundaries,
// session policies, and "Cross-account policy evaluation logic".
//
// The Result names the statements that matched (policy, index, Sid, source
// positions), which policy types blocked a denial, what each type said, and the
// condition keys the request lacked: what the server needs to word AccessDenied
// messages (Result.Message) and to build the IAM policy simulator.
//
// The request's condition keys come through the Context interface; the engine
// derives the principal keys (aws:PrincipalArn, aws:username, ...) itself when the
// context does not supply them. aws:CurrentTime and aws:EpochTime must be in the
// context: the engine never reads the clock.
package policy
