//! Prints what Overtime's NVML backend reads from every GPU next to what `nvidia-smi` says, so
//! someone with an NVIDIA GPU can check the readings match. Run:
//! `cargo run -p overtime-agent --example nvml_check`

use std::process::{Command, ExitCode};

use overtime_agent::sensors::Sensors;
use overtime_agent::sensors::nvml::NvmlSensors;

const SMI_QUERY: &str = "index,uuid,name,temperature.gpu,utilization.gpu,memory.used,memory.total,power.draw,power.limit,fan.speed,clocks.sm,clocks.mem";

fn main() -> ExitCode {
    let mut sensors = match NvmlSensors::init() {
        Ok(sensors) => sensors,
        Err(e) => {
            println!("NVML is not available here: {e}");
            println!("Nothing to compare; this check needs an NVIDIA GPU and driver.");
            return ExitCode::SUCCESS;
        }
    };
    println!("backend: {}", sensors.backend().describe());

    println!("\n== Overtime (NVML) ==");
    println!("{}", SMI_QUERY.replace(',', ", "));
    for sample in sensors.sample(jiff::Timestamp::now()) {
        let gpu = &sample.gpu;
        match &sample.reading {
            Ok(r) => {
                let row = [
                    gpu.index.to_string(),
                    gpu.uuid.clone(),
                    gpu.name.clone(),
                    show(r.temp_c),
                    show(r.load_pct),
                    show(r.mem_used_mib),
                    show(r.mem_total_mib),
                    show(r.power_w.map(|w| format!("{w:.2}"))),
                    show(r.power_limit_w.map(|w| format!("{w:.2}"))),
                    show(r.fan_pct),
                    show(r.sm_clock_mhz),
                    show(r.mem_clock_mhz),
                ];
                println!("{}", row.join(", "));
                let extra = [
                    format!("mem load {} %", show(r.mem_load_pct)),
                    format!(
                        "limit default/min/max {}/{}/{} W",
                        show(r.power_limit_default_w),
                        show(r.power_limit_min_w),
                        show(r.power_limit_max_w)
                    ),
                    format!(
                        "throttle [{}]",
                        r.throttle
                            .map(|t| t.active_names().join(" "))
                            .unwrap_or_else(|| "n/a".to_owned())
                    ),
                    format!("energy {} mJ", show(r.energy_mj)),
                ];
                println!("    {}", extra.join("; "));
            }
            Err(e) => println!("{}, {}, {}, ERROR: {e}", gpu.index, gpu.uuid, gpu.name),
        }
        println!(
            "    can set power limit: {}",
            sensors.can_set_power_limit(&gpu.uuid)
        );
    }
    let processes = sensors.graphics_processes();
    println!("graphics processes: {processes:?}");

    println!("\n== nvidia-smi ==");
    let query = format!("--query-gpu={SMI_QUERY}");
    match Command::new("nvidia-smi")
        .args([query.as_str(), "--format=csv,noheader,nounits"])
        .output()
    {
        Ok(out) if out.status.success() => print!("{}", String::from_utf8_lossy(&out.stdout)),
        Ok(out) => println!(
            "nvidia-smi failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ),
        Err(e) => println!("could not run nvidia-smi: {e}"),
    }
    ExitCode::SUCCESS
}

/// A reading as text; "[N/A]" like nvidia-smi when the GPU does not report it.
fn show<T: std::fmt::Display>(value: Option<T>) -> String {
    value.map_or_else(|| "[N/A]".to_owned(), |v| v.to_string())
}
