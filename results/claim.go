package results

// Claim is one of the article's statements, tested on this machine.
type Claim struct {
	ID          int    `json:"id"`
	Statement   string `json:"statement"`
	Measurement string `json:"measurement"`
	Figures     string `json:"figures"`
	// Kind is the verdict in one word, for readers that colour or count
	// verdicts; Verdict says it in a sentence, with the figures it rests on.
	Kind    VerdictKind `json:"kind"`
	Verdict string      `json:"verdict"`
	// Caveats say how far to trust a verdict that was given: figures the
	// harness flagged noisy, or trials either side of the threshold the
	// verdict turns on.
	Caveats []string `json:"caveats,omitempty"`
}

// VerdictKind is what a verdict found, so that no reader has to parse the
// verdict's English.
type VerdictKind string

// The verdict kinds. NotMeasured is a refusal: the run lacks what the claim
// needs (the pool size it names, enough tasks, a result whose tasks did not
// all fail), and the verdict says what is missing.
const (
	Holds       VerdictKind = "holds"
	DoesNotHold VerdictKind = "does-not-hold"
	Partly      VerdictKind = "partly"
	NotMeasured VerdictKind = "not-measured"
)

// Known reports whether k is one of the verdict kinds; files written before
// kinds existed have none.
func (k VerdictKind) Known() bool {
	switch k {
	case Holds, DoesNotHold, Partly, NotMeasured:
		return true
	}
	return false
}
