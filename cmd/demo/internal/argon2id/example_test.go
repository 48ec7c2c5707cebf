package argon2id_test

import (
	"encoding/hex"
	"fmt"

	"github.com/sharc-go/sharc/cmd/demo/internal/argon2id"
)

func ExampleIDKey() {
	// OWASP's parameters: 19 MiB, 2 passes, 1 lane. Use a random salt.
	key := argon2id.IDKey([]byte("correct horse battery"), []byte("0123456789abcdef"), 2, 19456, 1, 32)
	fmt.Println(hex.EncodeToString(key))
	// Output: ebd23ba828c34ec430850a85be94098aa108d25190bf10bce1f5c4d0ab7171ae
}
