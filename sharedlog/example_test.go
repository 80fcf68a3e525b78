package sharedlog_test

import (
	"bytes"
	"fmt"

	"github.com/poolbench/poolbench/sharedlog"
)

// Two writers of two records each; writer 1's second record is cut short
// and writer 0's first is written twice.
func ExampleCheck() {
	var log bytes.Buffer
	log.Write(sharedlog.Encode(0, 0, 20))
	log.Write(sharedlog.Encode(0, 0, 20))
	log.Write(sharedlog.Encode(0, 1, 30))
	log.Write(sharedlog.Encode(1, 0, 10))
	log.Write(sharedlog.Encode(1, 1, 40)[:25])

	c, err := sharedlog.Check(&log, 2, 2)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("intact %d, torn %d, lost %d, duplicated %d\n", c.Intact, c.Torn, c.Lost, c.Duplicated)
	// Output: intact 3, torn 1, lost 1, duplicated 1
}
