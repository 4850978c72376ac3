package postgis

import "context"

// turnstile lets a fixed number of goroutines through at once; the others
// wait in order of arrival (a channel's blocked senders are a queue).
type turnstile chan struct{}

func newTurnstile(n int) turnstile { return make(turnstile, n) }

// enter waits for a place and returns the function that gives it back, or
// ctx's error when ctx ends first.
func (t turnstile) enter(ctx context.Context) (func(), error) {
	select {
	case t <- struct{}{}:
		return func() { <-t }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
