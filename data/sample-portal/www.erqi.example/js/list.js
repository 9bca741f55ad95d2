function loadList(ch,p,size){fetch('/api/list.json?channel='+ch+'&page='+p).then(r=>r.json()).then(d=>{/* render d.data.list */});}
