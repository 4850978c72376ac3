package ingest

// Bridges for the external tests.

// CRSFromPRJ identifies .prj text.
func CRSFromPRJ(text string) (int, error) {
	d, err := crsFromWKT("test.prj", text)
	if err != nil {
		return 0, err
	}
	return d.EPSG, nil
}

// GKParams reports what planmap knows of a Gauss-Kruger code.
func GKParams(code int) (name string, cm int, falseEasting float64, ok bool) {
	d := lookupEPSG(code)
	if d.Kind != kindGK {
		return d.Name, 0, 0, false
	}
	return d.Name, d.GK.CM, d.GK.falseEasting(), true
}

// GKCodes lists every Gauss-Kruger code planmap knows.
func GKCodes() []int {
	var out []int
	for _, f := range gkFamilies {
		for _, s := range [][2]int{{f.six, 11}, {f.sixCM, 11}, {f.three, 21}, {f.threeCM, 21}} {
			for i := 0; i < s[1]; i++ {
				out = append(out, s[0]+i)
			}
		}
	}
	return out
}
