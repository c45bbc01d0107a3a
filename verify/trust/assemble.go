package trust

// keyID identifies a key entry for de-duplication: the same format, issuer,
// kid and key material (certificate or SPKI).
func keyID(k *KeyEntry) string {
	return string(k.Format) + "\x00" + k.Issuer + "\x00" + string(k.Kid) + "\x00" + string(k.Cert) + "\x00" + string(k.SPKI)
}

// AddKeys appends to b the entries of es it does not hold yet: the same DSC
// often comes from a certificate file and from a published list, or from two
// lists. Order is kept (the first occurrence wins). It returns how many were
// added.
func (b *Bundle) AddKeys(es ...KeyEntry) int {
	seen := make(map[string]bool, len(b.Keys)+len(es))
	for i := range b.Keys {
		seen[keyID(&b.Keys[i])] = true
	}
	n := 0
	for _, k := range es {
		id := keyID(&k)
		if seen[id] {
			continue
		}
		seen[id] = true
		b.Keys = append(b.Keys, k)
		n++
	}
	return n
}
