/* sweep.c - placeholder until sweeps land: `zoneplace sweep` is refused. */
#include "sweep.h"
#include "util.h"

int sweep_main(int argc, char **argv, zp_comm *world)
{
    (void)argc, (void)argv, (void)world;
    return zp_fail(ZP_EUSAGE, "sweep: not available yet");
}
