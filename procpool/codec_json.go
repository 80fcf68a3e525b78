package procpool

import "encoding/json"

// JSONCodec is a Codec in encoding/json. Its encoding of a value is the
// same every time (map keys sorted), where gob's of a map follows the map's
// random order: pick it when results are compared byte for byte, as
// poolbench cross-checks a function's results between strategies.
type JSONCodec struct{}

func (JSONCodec) Marshal(v any) ([]byte, error) { return json.Marshal(v) }

func (JSONCodec) Unmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }
