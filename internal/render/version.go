package render

import "github.com/Masterminds/semver/v3"

// version is what semver returns in a template: sprig's semver returns a
// *semver.Version, and fmt prints a pointer inside a list or dictionary (or
// any pointer under %d, %o or %b) as its address, which differs on every
// call. A value holds no pointer, so it always prints the same.
//
// The embedded Version gives the methods sprig documents with value
// receivers (Major, Minor, Patch, Prerelease, Metadata, String, IncMajor…);
// those with pointer receivers are repeated here on the value.
type version struct {
	semver.Version
}

func semverValue(s string) (version, error) {
	v, err := semver.NewVersion(s)
	if err != nil {
		return version{}, err
	}
	return version{Version: *v}, nil
}

// Original is the text the version was parsed from.
func (v version) Original() string { return v.Version.Original() }

// Compare is -1, 0 or 1 as v is lower than, equal to or higher than o.
func (v version) Compare(o version) int { return v.Version.Compare(&o.Version) }

// LessThan reports whether v is lower than o.
func (v version) LessThan(o version) bool { return v.Version.LessThan(&o.Version) }

// LessThanEqual reports whether v is lower than or equal to o.
func (v version) LessThanEqual(o version) bool { return v.Version.LessThanEqual(&o.Version) }

// GreaterThan reports whether v is higher than o.
func (v version) GreaterThan(o version) bool { return v.Version.GreaterThan(&o.Version) }

// GreaterThanEqual reports whether v is higher than or equal to o.
func (v version) GreaterThanEqual(o version) bool {
	return v.Version.GreaterThanEqual(&o.Version)
}

// Equal reports whether v and o are the same version.
func (v version) Equal(o version) bool { return v.Version.Equal(&o.Version) }
