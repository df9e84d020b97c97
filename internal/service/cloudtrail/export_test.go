package cloudtrail

// SetLogGroups wires CloudWatch Logs delivery for a test, as app does once CloudWatch
// Logs is served.
func (ct *CloudTrail) SetLogGroups(lg LogGroups) {
	ct.uploader.mu.Lock()
	defer ct.uploader.mu.Unlock()
	ct.deps.LogGroups = lg
}
