package store

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// ErrNoHealthKey: a health note must be sealed or opened and the store has no key for it (no
// keyring given to New, or a note sealed with a key the keyring does not hold).
var ErrNoHealthKey = errors.New("no key for health notes")

// HealthKey is an AES-256 key that seals children's health notes (AES-256-GCM).
type HealthKey [32]byte

// NewHealthKey draws a key from the system's random source.
func NewHealthKey() (HealthKey, error) {
	var k HealthKey
	_, err := rand.Read(k[:])
	return k, err
}

// ParseHealthKey reads a key written in standard base64, as HEALTH_KEY and the key file hold it.
// The error never quotes the text, which may be a key.
func ParseHealthKey(text string) (HealthKey, error) {
	var k HealthKey
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(text))
	if err != nil || len(raw) != len(k) {
		return k, fmt.Errorf("%w: a health key is the base64 of 32 bytes", ErrInvalid)
	}
	copy(k[:], raw)
	return k, nil
}

// Base64 is the key as HEALTH_KEY and the key file hold it. Never log it.
func (k HealthKey) Base64() string { return base64.StdEncoding.EncodeToString(k[:]) }

// ID names the key in the database (beside each note it sealed) without revealing it: the first
// 8 bytes of its SHA-256, in hex.
func (k HealthKey) ID() string {
	sum := sha256.Sum256(k[:])
	return hex.EncodeToString(sum[:8])
}

// HealthKeyring seals notes with its current key and opens notes sealed with any of its keys, so
// that during a rotation notes sealed with the previous key stay readable. A keyring built with
// a loader (the key file) reloads it before sealing and when it meets a key it does not know, so
// that running processes follow a rotation made by another.
type HealthKeyring struct {
	load func() ([]HealthKey, error)

	mu      sync.RWMutex
	current string
	aeads   map[string]cipher.AEAD
}

// NewHealthKeyring is a keyring of fixed keys; the first one seals.
func NewHealthKeyring(keys ...HealthKey) (*HealthKeyring, error) {
	k := &HealthKeyring{}
	return k, k.set(keys)
}

// LoadHealthKeyring is a keyring that takes its keys from load (the first one seals), now and
// whenever it may have changed.
func LoadHealthKeyring(load func() ([]HealthKey, error)) (*HealthKeyring, error) {
	keys, err := load()
	if err != nil {
		return nil, err
	}
	k := &HealthKeyring{load: load}
	return k, k.set(keys)
}

func (k *HealthKeyring) set(keys []HealthKey) error {
	if len(keys) == 0 {
		return ErrNoHealthKey
	}
	aeads := make(map[string]cipher.AEAD, len(keys))
	for _, key := range keys {
		block, err := aes.NewCipher(key[:])
		if err != nil {
			return err
		}
		gcm, err := cipher.NewGCM(block)
		if err != nil {
			return err
		}
		aeads[key.ID()] = gcm
	}
	k.mu.Lock()
	k.current, k.aeads = keys[0].ID(), aeads
	k.mu.Unlock()
	return nil
}

func (k *HealthKeyring) reload() error {
	if k.load == nil {
		return nil
	}
	keys, err := k.load()
	if err != nil {
		return fmt.Errorf("health keys: %w", err)
	}
	return k.set(keys)
}

// CurrentID is the ID of the key that seals.
func (k *HealthKeyring) CurrentID() string {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.current
}

// sealer returns the current key after a reload, for sealing one note or a batch of them.
func (k *HealthKeyring) sealer() (noteSealer, error) {
	if k == nil {
		return noteSealer{}, ErrNoHealthKey
	}
	if err := k.reload(); err != nil {
		return noteSealer{}, err
	}
	k.mu.RLock()
	defer k.mu.RUnlock()
	return noteSealer{keyID: k.current, aead: k.aeads[k.current]}, nil
}

func (k *HealthKeyring) aead(keyID string) (cipher.AEAD, bool) {
	k.mu.RLock()
	defer k.mu.RUnlock()
	a, ok := k.aeads[keyID]
	return a, ok
}

// open decrypts a sealed note of child childID; it fails for a note sealed for another child.
func (k *HealthKeyring) open(childID int64, n sealedNote) (string, error) {
	if n.KeyID == "" {
		return "", nil
	}
	if k == nil {
		return "", ErrNoHealthKey
	}
	a, ok := k.aead(n.KeyID)
	if !ok {
		if err := k.reload(); err != nil {
			return "", err
		}
		if a, ok = k.aead(n.KeyID); !ok {
			return "", fmt.Errorf("%w: key %s", ErrNoHealthKey, n.KeyID)
		}
	}
	if len(n.Nonce) != a.NonceSize() {
		return "", fmt.Errorf("health note of child %d: bad nonce", childID)
	}
	plain, err := a.Open(nil, n.Nonce, n.Sealed, noteAD(childID))
	if err != nil {
		// The message names the child, never the note.
		return "", fmt.Errorf("health note of child %d does not open: %w", childID, err)
	}
	return string(plain), nil
}

type noteSealer struct {
	keyID string
	aead  cipher.AEAD
}

// seal encrypts note for child childID with a fresh random nonce. The child's ID is the
// additional data: a sealed note copied to another child does not open.
func (s noteSealer) seal(childID int64, note string) (sealedNote, error) {
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return sealedNote{}, err
	}
	return sealedNote{KeyID: s.keyID, Nonce: nonce, Sealed: s.aead.Seal(nil, nonce, []byte(note), noteAD(childID))}, nil
}

func noteAD(childID int64) []byte {
	return []byte("accueil/child-health-note/" + strconv.FormatInt(childID, 10))
}

// sealedNote is a health note as stored: the ID of the key, the nonce and the ciphertext with
// its tag. An empty KeyID is no note.
type sealedNote struct {
	KeyID  string `db:"note_key_id"`
	Nonce  []byte `db:"note_nonce"`
	Sealed []byte `db:"note_sealed"`
}
