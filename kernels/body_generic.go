//go:build !amd64 || noasm || purego

package kernels

// Without assembly every level is the portable one.

// cpuLevel is the highest body level this CPU (and build) supports.
const cpuLevel = levelGeneric

var levelTables = [...]*bodies{genericBodies}

func chooseBodies() *bodies { return genericBodies }
