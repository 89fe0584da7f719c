package cli

import (
	"context"
	"testing"
	"time"
)

// A run that writes a file or asks git listens for signals at once; a
// plain scan only after listenAfter, or when listenNow says git will run.
func TestListen(t *testing.T) {
	for _, tc := range []struct {
		name  string
		opt   options
		env   map[string]string
		early bool
	}{
		{"plain scan", options{}, nil, false},
		{"report file", options{reports: []reportSpec{{"sarif", "out.sarif"}}}, nil, true},
		{"fix", options{fix: true}, nil, true},
		{"update baseline", options{update: true}, nil, true},
		{"write baseline", options{writeBase: "b.json"}, nil, true},
		{"staged", options{staged: true}, nil, true},
		{"diff", options{diff: "main"}, nil, true},
		{"history", options{history: true}, nil, true},
		{"step summary", options{format: "github"}, map[string]string{"GITHUB_STEP_SUMMARY": "/tmp/s"}, true},
		{"github without summary", options{format: "github"}, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			called := make(chan struct{}, 1)
			c := &command{opt: tc.opt, env: Env{
				Getenv: func(k string) string { return tc.env[k] },
				Listen: func(ctx context.Context) (context.Context, context.CancelFunc) {
					called <- struct{}{}
					return context.WithCancel(ctx)
				},
			}}
			_, stop := c.listen(context.Background())
			defer stop()
			select {
			case <-called:
				if !tc.early {
					t.Fatal("listened at once")
				}
				return
			default:
				if tc.early {
					t.Fatal("did not listen at once")
				}
			}
			c.listenNow()
			select {
			case <-called:
			default:
				t.Fatal("listenNow did not listen")
			}
			c.listenNow() // once is enough
			select {
			case <-called:
				t.Fatal("listened twice")
			default:
			}
		})
	}
}

// Left alone, a plain scan listens once listenAfter has passed; a signal
// then cancels the run, and stopping it does not count as one.
func TestListenLater(t *testing.T) {
	sig := make(chan context.CancelFunc, 1)
	c := &command{env: Env{Getenv: func(string) string { return "" },
		Listen: func(ctx context.Context) (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(ctx)
			sig <- cancel
			return ctx, cancel
		}}}
	run, stop := c.listen(context.Background())
	defer stop()
	select {
	case raise := <-sig:
		if run.Err() != nil {
			t.Fatal("cancelled before any signal")
		}
		raise()
		<-run.Done()
	case <-time.After(time.Minute):
		t.Fatal("never listened")
	}
}
