export const exactCommand = {name:"exact",summary:"todo",flags:{},async run(){return 0}} as import("../command.js").Command;
