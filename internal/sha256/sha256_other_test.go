//go:build !amd64 || purego

package sha256

func addImpls(m map[string]func()) { m["generic"] = func() {} }

func saveImpl() bool   { return false }
func restoreImpl(bool) {}
