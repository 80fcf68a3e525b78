package procsync

import "errors"

var (
	// ErrNotHeld is returned by Release when the lock or semaphore is not
	// held through this value, as Python raises on releasing an unlocked Lock.
	ErrNotHeld = errors.New("not held")
	// ErrClosed is returned by every call on a closed Lock or Semaphore.
	ErrClosed = errors.New("closed")
	// ErrSlotsMismatch is returned by NewSemaphore when the folder already
	// holds a semaphore made with another slot count: the processes would not
	// agree on the limit.
	ErrSlotsMismatch = errors.New("semaphore folder made with another slot count")
)
