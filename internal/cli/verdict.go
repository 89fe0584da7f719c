package cli

import "github.com/tenantatlas/nolegacyruns/pkg/result"

// outcome is what a run came to; verdict turns it into the exit status.
type outcome struct {
	err        error // the run failed: usage, configuration, git, writing
	cancelled  bool  // stopped by a signal, whatever it was doing
	counts     result.Counts
	fileErrors int // files that could not be read: the scan is incomplete
	unfixed    int // fixable findings --fix had to leave alone
}

// verdict is the one place that decides the exit status.
func verdict(o outcome) int {
	switch {
	case o.cancelled:
		return ExitInterrupt
	case o.err != nil, o.fileErrors > 0:
		return ExitTrouble
	case o.counts.Errors > 0, o.unfixed > 0:
		return ExitFindings
	}
	return ExitClean
}

func fail(err error) outcome { return outcome{err: err} }
